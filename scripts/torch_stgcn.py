"""
A reference PyTorch ST-GCN with the engine's tensor names, to use the encoders that `export`
writes (docs/evaluation.md#export). One file, needing only torch and numpy: copy it next to your
code.

    from torch_stgcn import load_encoder
    model, meta = load_encoder('out/joint.safetensors')   # strict=True load, eval mode
    features = model(x)               # x: (N, 3, T, V, M) float32, joints / motion / bone as meta['modality']
    z = model.project(features)       # the projection head, when the export kept it (meta['head'] != 'none')

As a script, it loads a file with strict=True and prints what it holds; with an input .npy it
writes or checks features:

    python3 scripts/torch_stgcn.py out/joint.safetensors                 # load, summary
    python3 scripts/torch_stgcn.py out/joint.safetensors x.npy f.npy     # check f.npy = features of x.npy (1e-4)
    python3 scripts/torch_stgcn.py out/joint.safetensors x.npy --save f.npy

The names and the computation follow the ST-GCN family (Yan et al. 2018; the AimCLR / CMD
code): data_bn over V*C channels, st_gcn_networks.{i}.gcn.conv (1x1 conv to K*C_out, then
einsum('nkctv,kvw->nctw') with A * edge_importance[i]), tcn.{0,2,3} (BN, ReLU, conv 9x1 with the
block's stride, BN, dropout), residual.{0,1} (1x1 conv with stride, BN) or identity, and the
projection head fc.0 / fc.2 (or fc). A is the 'spatial' partition (max hop 1) computed from the
layout table in the file's metadata, as the original net/utils/graph.py computes it. The feature
is the mean over time, joints and persons of the last block's output.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

_DTYPES = {'F32': torch.float32, 'I64': torch.int64, 'I32': torch.int32}


def read_safetensors(path):
    """(tensors, metadata) of a .safetensors file, without the safetensors package."""
    with open(path, 'rb') as fh:
        raw = fh.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {}) or {}
    out = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        buf = bytearray(raw[8 + n + b:8 + n + end])
        t = torch.frombuffer(buf, dtype=_DTYPES[e['dtype']]) if buf else torch.empty(0, dtype=_DTYPES[e['dtype']])
        out[name] = t.reshape(e['shape']).clone()
    return out, meta


def spatial_partition(V, edges, centre):
    """The K=3 'spatial' partition (3, V, V) of the original ST-GCN code, max hop 1."""
    adj = np.zeros((V, V))
    for i, j in edges:
        if i != j:
            adj[i, j] = adj[j, i] = 1
    hop = np.full((V, V), np.inf)
    reach = [np.linalg.matrix_power(adj, d) > 0 for d in range(2)]
    for d in (1, 0):
        hop[reach[d]] = d
    a = (hop <= 1).astype(np.float64)
    col = a.sum(0)
    norm = a / np.where(col > 0, col, 1)[None, :]
    out = []
    for h in (0, 1):
        root, close, further = np.zeros((V, V)), np.zeros((V, V)), np.zeros((V, V))
        for i in range(V):
            for j in range(V):
                if hop[j, i] == h:
                    if hop[j, centre] == hop[i, centre]:
                        root[j, i] = norm[j, i]
                    elif hop[j, centre] > hop[i, centre]:
                        close[j, i] = norm[j, i]
                    else:
                        further[j, i] = norm[j, i]
        if h == 0:
            out.append(root)
        else:
            out.extend([root + close, further])
    return torch.tensor(np.stack(out), dtype=torch.float32)


class GraphConv(nn.Module):
    def __init__(self, cin, cout, K):
        super().__init__()
        self.K = K
        self.conv = nn.Conv2d(cin, K * cout, kernel_size=1)

    def forward(self, x, A):
        x = self.conv(x)
        n, kc, t, v = x.shape
        return torch.einsum('nkctv,kvw->nctw', x.view(n, self.K, kc // self.K, t, v), A)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, K, dropout, residual):
        super().__init__()
        self.gcn = GraphConv(cin, cout, K)
        self.tcn = nn.Sequential(nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                                 nn.Conv2d(cout, cout, (9, 1), (stride, 1), (4, 0)),
                                 nn.BatchNorm2d(cout), nn.Dropout(dropout, inplace=True))
        self.identity = residual and cin == cout and stride == 1
        if residual and not self.identity:
            self.residual = nn.Sequential(nn.Conv2d(cin, cout, kernel_size=1, stride=(stride, 1)), nn.BatchNorm2d(cout))
        self.has_residual = residual

    def forward(self, x, A):
        res = x if self.identity else self.residual(x) if self.has_residual else 0
        return torch.relu(self.tcn(self.gcn(x, A)) + res)


class STGCN(nn.Module):
    """The engine's ST-GCN: built from an export's metadata (layout table, block plan, head)."""

    def __init__(self, layout, blocks, head='mlp', head_dim=128, dropout=0.5):
        super().__init__()
        A = spatial_partition(layout['V'], layout['edges'], layout['centre'])
        self.register_buffer('A', A, persistent=False)   # a constant, not in the state dict
        K, V, cin = A.shape[0], layout['V'], blocks[0][0]
        self.data_bn = nn.BatchNorm1d(cin * V)
        self.st_gcn_networks = nn.ModuleList(
            Block(i, o, s, K, 0 if n == 0 else dropout, n != 0) for n, (i, o, s) in enumerate(blocks))
        self.edge_importance = nn.ParameterList(nn.Parameter(torch.ones(K, V, V)) for _ in blocks)
        D = blocks[-1][1]
        if head == 'mlp':
            self.fc = nn.Sequential(nn.Linear(D, D), nn.ReLU(), nn.Linear(D, head_dim))
        elif head == 'linear':
            self.fc = nn.Linear(D, head_dim)
        else:
            self.fc = None

    def forward(self, x):
        """x (N, C, T, V, M) -> the feature (N, D)."""
        N, C, T, V, M = x.shape
        x = x.permute(0, 4, 3, 1, 2).contiguous().view(N * M, V * C, T)
        x = self.data_bn(x)
        x = x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2).contiguous().view(N * M, C, T, V)
        for block, importance in zip(self.st_gcn_networks, self.edge_importance):
            x = block(x, self.A * importance)
        return x.mean(dim=(2, 3)).view(N, M, -1).mean(dim=1)

    def project(self, feature):
        if self.fc is None:
            raise ValueError('this encoder was exported without its projection head')
        return self.fc(feature)


def load_encoder(path):
    """The encoder of an `export` file, loaded with strict=True, in eval mode; and its metadata."""
    state, meta = read_safetensors(path)
    if meta.get('format') != 'i2md-stgcn':
        raise ValueError(f'{path}: format {meta.get("format")!r} is not an i2md-stgcn encoder '
                         '(GRU exports load into scripts/torch/cmd_gru.py)')
    model = STGCN(json.loads(meta['layout_table']), json.loads(meta['blocks']), meta.get('head', 'mlp'),
                  int(meta.get('head_dim', 128)), float(meta.get('dropout', 0.5)))
    model.load_state_dict(state, strict=True)
    return model.eval(), meta


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args or args[0] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0)
    model, meta = load_encoder(args[0])
    n = sum(p.numel() for p in model.parameters())
    print(f'strict=True load: ok; {meta.get("modality", "?")} stream, layout {meta.get("layout")}, '
          f'{meta.get("frames", "?")} frames, {n} parameters')
    if len(args) >= 2:
        x = torch.from_numpy(np.load(args[1]).astype(np.float32))
        with torch.no_grad():
            f = model(x).numpy()
        if len(args) >= 4 and args[2] == '--save':
            np.save(args[3], f)
            print(f'wrote {args[3]}: features {f.shape}')
        elif len(args) >= 3:
            ours = np.load(args[2])
            err = float(np.max(np.abs(f - ours) / np.maximum(1.0, np.abs(f))))
            print(f'features {f.shape}; worst relative error {err:.3g}')
            sys.exit(0 if err <= 1e-4 else 1)
