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
