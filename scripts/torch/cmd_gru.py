"""
PyTorch modules with the state-dict names of the official CMD code's GRU encoder and MoCo wrapper
(github.com/maoyunyao/CMD, moco/GRU.py and moco/builder_cmd.py), written for our checks: a
checkpoint of the engine must load into these with strict=True and give the same features, and
checkpoints these write are what the engine must read. Only the names and the computation follow
the official code; nothing here trains.

Used by scripts/torch/gru_fixtures.py (test fixtures), gru_check.py (both-ways check) and
gru_bench.py (the CPU baseline of bench/gru.ts). Needs Debian's python3-torch (/usr/bin/python3).
"""
import torch
import torch.nn as nn


class Recurrent(nn.Module):
    """Holds the nn.GRU as `gru` (the official `EncoderRNN`)."""

    def __init__(self, inputs, hidden, layers):
        super().__init__()
        self.gru = nn.GRU(inputs, hidden, num_layers=layers, bidirectional=True, batch_first=True)


class StreamEncoder(nn.Module):
    """`encoder`, `fc`, `input_norm` as the official `BIGRU` names them."""

    def __init__(self, inputs=150, hidden=1024, layers=3, out=128, head='mlp'):
        super().__init__()
        self.encoder = Recurrent(inputs, hidden, layers)
        if head == 'mlp':
            self.fc = nn.Sequential(nn.Linear(2 * hidden, 2 * hidden), nn.ReLU(), nn.Linear(2 * hidden, out))
        else:
            self.fc = nn.Linear(2 * hidden, out)
        self.input_norm = nn.BatchNorm1d(inputs)

    def flatten(self, x):
        """(N, C, T, V, M) -> (N, T, V*C*M), feature v*C*M + c*M + m, then the input norm over (N, T)."""
        n, c, t, v, m = x.shape
        seq = x.permute(0, 2, 3, 1, 4).reshape(n, t, v * c * m)
        return self.input_norm(seq.transpose(1, 2)).transpose(1, 2)

    def features(self, x, faithful=True):
        seq = self.flatten(x)
        if faithful:
            # the official loop: the bidirectional GRU called one step at a time, its state carried
            state = None
            for t in range(seq.shape[1]):
                out, state = self.encoder.gru(seq[:, t:t + 1], state)
            return out[:, 0]
        out, state = self.encoder.gru(seq)
        return torch.cat([state[-2], state[-1]], 1)

    def head(self, feature):
        return self.fc(feature)


STREAMS = ['', '_motion', '_bone']


class MoCoStreams(nn.Module):
    """The official pre-training module's names: encoder_q, encoder_k, encoder_q_motion, …, queue, queue_ptr, …"""

    def __init__(self, dim=128, K=16384, **enc):
        super().__init__()
        for s in STREAMS:
            setattr(self, f'encoder_q{s}', StreamEncoder(out=dim, **enc))
            setattr(self, f'encoder_k{s}', StreamEncoder(out=dim, **enc))
        for s in STREAMS:
            self.register_buffer(f'queue{s}', nn.functional.normalize(torch.randn(dim, K), dim=0))
            self.register_buffer(f'queue_ptr{s}', torch.zeros(1, dtype=torch.long))


# A minimal safetensors reader and writer (the format of formats.md), so these scripts need only
# torch and numpy; with the `safetensors` package installed, safetensors.torch.load_file /
# save_file do the same.
_DTYPES = {'F32': torch.float32, 'I64': torch.int64, 'I32': torch.int32}


def load_safetensors(path):
    import json
    import struct
    with open(path, 'rb') as fh:
        raw = fh.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop('__metadata__', None)
    out = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        buf = bytearray(raw[8 + n + b:8 + n + end])
        t = torch.frombuffer(buf, dtype=_DTYPES[e['dtype']]) if buf else torch.empty(0, dtype=_DTYPES[e['dtype']])
        out[name] = t.reshape(e['shape']).clone()
    return out


def save_safetensors(path, tensors, metadata=None):
    import json
    import struct
    names = sorted(tensors)
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    rev = {v: k for k, v in _DTYPES.items()}
    for name in names:
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {'dtype': rev[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header, separators=(',', ':')).encode()
    js += b' ' * ((8 - len(js) % 8) % 8)
    with open(path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(js)) + js + b''.join(blobs))


def encoder_for(state):
    """A StreamEncoder shaped like a state dict of our names (hidden, layers, input size, head)."""
    hidden = state['encoder.gru.weight_hh_l0'].shape[1]
    layers = len([k for k in state if k.startswith('encoder.gru.weight_ih_l') and not k.endswith('_reverse')])
    inputs = state['encoder.gru.weight_ih_l0'].shape[1]
    if 'fc.2.weight' in state:
        return StreamEncoder(inputs, hidden, layers, state['fc.2.weight'].shape[0], 'mlp')
    return StreamEncoder(inputs, hidden, layers, state['fc.weight'].shape[0], 'linear')
