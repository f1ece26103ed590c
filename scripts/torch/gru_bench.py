"""
The PyTorch CPU baseline of bench/gru.ts and of the GRU pre-training step (docs/gru.md): Debian's
python3-torch (1.13) on the same cores, nn.GRU's fused path — one call over the whole sequence,
not the official per-step Python loop (same products, fewer calls).

  /usr/bin/python3 scripts/torch/gru_bench.py encoder [--batch 64] [--T 64] [--hidden 1024] [--layers 3] [--reps 1] [--warmup 0]
      eval forward and training forward + backward of one encoder (input norm, 3-layer GRU with two
      cells per layer, MLP head), like bench/gru.ts
  /usr/bin/python3 scripts/torch/gru_bench.py step [--K 16384] [--topk 8192] …
      one MoCo + CMD pre-training step with three GRU query encoders and their momentum copies
      (EMA, key and query passes, InfoNCE per stream, the six CMD terms, backward, SGD, enqueue),
      docs/method.md#moco and #cmd, like `node dist/bench/pretrain.js --preset cmd-paper --cases cmd`

Prints one JSON line per case: wall seconds per run, the process's CPU seconds (all threads),
samples/s, torch version, threads, BLAS.
Threads: torch.set_num_threads(--threads, default the machine's cores).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from cmd_gru import StreamEncoder  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('what', choices=['encoder', 'step'])
p.add_argument('--batch', type=int, default=64)
p.add_argument('--T', type=int, default=64)
p.add_argument('--hidden', type=int, default=1024)
p.add_argument('--layers', type=int, default=3)
p.add_argument('--K', type=int, default=16384)
p.add_argument('--topk', type=int, default=8192)
p.add_argument('--reps', type=int, default=1)
p.add_argument('--warmup', type=int, default=0)
p.add_argument('--threads', type=int, default=os.cpu_count())
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
blas = [line.split('=', 1)[1] for line in torch.__config__.show().replace(',', '\n').split('\n') if 'BLAS_INFO' in line]
info = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas[0].strip() if blas else '?'}


def timed(name, fn):
    for _ in range(a.warmup):
        fn()
    times, cpu = [], []
    for _ in range(a.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    s = sorted(times)[len(times) // 2]
    print(json.dumps({'case': name, 'seconds': s, 'cpu_seconds': sorted(cpu)[len(cpu) // 2], 'samples_per_s': a.batch / s, 'reps': a.reps, 'warmup': a.warmup,
                      'size': f'B={a.batch} T={a.T} H={a.hidden} layers={a.layers}', **info}), flush=True)


def enc():
    return StreamEncoder(150, a.hidden, a.layers, 128, 'mlp')


if a.what == 'encoder':
    model = enc()
    x = torch.randn(a.batch, 3, a.T, 25, 2)

    def forward():
        model.eval()
        with torch.no_grad():
            model.head(model.features(x, faithful=False))

    def train():
        model.train()
        model.zero_grad(set_to_none=True)
        model.head(model.features(x, faithful=False)).sum().backward()

    timed('eval forward', forward)
    timed('forward + backward', train)
    sys.exit(0)

# one MoCo + CMD step (docs/method.md#moco, #cmd) with three streams
BONES = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9), (11, 10), (12, 11), (13, 1), (14, 13),
         (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (21, 21), (22, 23), (23, 8), (24, 25), (25, 12)]
streams = ['joint', 'motion', 'bone']
q_enc = {s: enc() for s in streams}
k_enc = {s: enc() for s in streams}
for s in streams:
    k_enc[s].load_state_dict(q_enc[s].state_dict())
    for prm in k_enc[s].parameters():
        prm.requires_grad = False
queues = {s: F.normalize(torch.randn(128, a.K), dim=0) for s in streams}
params = [prm for s in streams for prm in q_enc[s].parameters()]
opt = torch.optim.SGD(params, 0.01, momentum=0.9, weight_decay=1e-4)
x1, x2 = torch.randn(a.batch, 3, a.T, 25, 2), torch.randn(a.batch, 3, a.T, 25, 2)
ptr = [0]


def view(x, s):
    if s == 'motion':
        m = torch.zeros_like(x)
        m[:, :, :-1] = x[:, :, 1:] - x[:, :, :-1]
        return m
    if s == 'bone':
        b = torch.zeros_like(x)
        for c, par in BONES:
            b[:, :, :, c - 1] = x[:, :, :, c - 1] - x[:, :, :, par - 1]
        return b
    return x


def kl(student, teacher):
    return F.kl_div(F.log_softmax(student, 1), F.softmax(teacher, 1), reduction='batchmean')


def step():
    with torch.no_grad():
        for s in streams:
            for pk, pq in zip(k_enc[s].parameters(), q_enc[s].parameters()):
                pk.mul_(0.999).add_(pq, alpha=0.001)
    q = {s: F.normalize(q_enc[s].head(q_enc[s].features(view(x1, s), faithful=False)), dim=1) for s in streams}
    with torch.no_grad():
        k = {s: F.normalize(k_enc[s].head(k_enc[s].features(view(x2, s), faithful=False)), dim=1) for s in streams}
    loss = 0
    sq, tk = {}, {}
    for s in streams:
        sq[s] = q[s] @ queues[s]
        tk[s] = k[s] @ queues[s]
        logits = torch.cat([(q[s] * k[s]).sum(1, keepdim=True), sq[s]], 1) / 0.07
        loss = loss + F.cross_entropy(logits, torch.zeros(a.batch, dtype=torch.long))
    for t in streams:
        val, idx = torch.topk(tk[t], a.topk, dim=1)
        for s in streams:
            if s != t:
                loss = loss + kl(torch.gather(sq[s], 1, idx) / 0.1, val / 0.05)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    with torch.no_grad():
        for s in streams:
            queues[s][:, ptr[0]:ptr[0] + a.batch] = k[s].T
        ptr[0] = (ptr[0] + a.batch) % a.K


timed('MoCo + CMD step, 3 streams', step)
