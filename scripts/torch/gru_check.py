"""
Both directions of the GRU checkpoint check against PyTorch (test/nn/gru-torch.test.ts runs it;
Debian's python3-torch, /usr/bin/python3):

  gru_check.py verify ENC.safetensors INPUT.npy FEATURES.npy [--bidirectional]
      engine -> PyTorch: loads the engine's encoder checkpoint into the official module's names
      with strict=True, computes the features of INPUT (N, C, T, V, M) in eval mode — the official
      per-step loop, or nn.GRU over the whole sequence with --bidirectional — and compares them with
      the engine's (`embed`). Prints the worst relative error; exit 1 above 1e-5.
  gru_check.py write OUT.safetensors INPUT.npy FEATURES.npy [--hidden H] [--layers L] [--bidirectional]
      PyTorch -> engine: a PyTorch-initialised encoder with random BN statistics saved under the
      official names (no metadata, as a PyTorch user would save it), a random input and PyTorch's
      features of it, for the engine to load and compare.
  gru_check.py run RUN/checkpoint.safetensors
      a GRU pre-training run of the engine: its encoders and queues (the names starting with
      encoder_ or queue) load into the official pre-training module's names with strict=True.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from cmd_gru import StreamEncoder, encoder_for, load_safetensors, save_safetensors  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('mode', choices=['verify', 'write', 'run'])
p.add_argument('checkpoint')
p.add_argument('input', nargs='?')
p.add_argument('features', nargs='?')
p.add_argument('--bidirectional', action='store_true')
p.add_argument('--hidden', type=int, default=8)
p.add_argument('--layers', type=int, default=3)
a = p.parse_args()
torch.manual_seed(3)

if a.mode == 'run':
    from cmd_gru import MoCoStreams
    sd = {k: v for k, v in load_safetensors(a.checkpoint).items() if k.startswith(('encoder_', 'queue'))}
    one = {k[len('encoder_q.'):]: v for k, v in sd.items() if k.startswith('encoder_q.')}
    probe = encoder_for(one)
    dim, K = sd['queue'].shape
    moco = MoCoStreams(dim=dim, K=K, inputs=probe.input_norm.num_features, hidden=probe.encoder.gru.hidden_size,
                       layers=probe.encoder.gru.num_layers, head='mlp' if 'fc.2.weight' in one else 'linear')
    moco.load_state_dict(sd, strict=True)
    print(f'strict=True load of {len(sd)} tensors into the official pre-training names: ok')
    sys.exit(0)

if a.mode == 'verify':
    state = load_safetensors(a.checkpoint)
    model = encoder_for(state)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = torch.from_numpy(np.load(a.input))
    with torch.no_grad():
        f = model.features(x, faithful=not a.bidirectional).numpy()
    ours = np.load(a.features)
    err = float(np.max(np.abs(f - ours) / np.maximum(1.0, np.abs(f))))
    print(f'strict=True load: ok; features {f.shape}; worst relative error {err:.3g}')
    sys.exit(0 if err <= 1e-5 else 1)

model = StreamEncoder(150, a.hidden, a.layers, 16, 'mlp')
with torch.no_grad():
    model.input_norm.running_mean.uniform_(-0.5, 0.5)
    model.input_norm.running_var.uniform_(0.5, 1.5)
    model.input_norm.weight.uniform_(0.5, 1.5)
    model.input_norm.bias.uniform_(-0.3, 0.3)
model.eval()
x = torch.randn(4, 3, 7, 25, 2)
with torch.no_grad():
    f = model.features(x, faithful=not a.bidirectional)
save_safetensors(a.checkpoint, model.state_dict())
np.save(a.input, x.numpy())
np.save(a.features, f.numpy())
print(f'wrote {a.checkpoint}: {len(model.state_dict())} tensors; features {tuple(f.shape)}')
