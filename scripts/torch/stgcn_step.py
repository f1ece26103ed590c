"""
PyTorch (CPU) counterpart of one MoCo + CMD pre-training step on the ST-GCN encoder, for timing
and peak memory only: it does the work of src/i2md/step.ts `pretrainStep` with IMD and DNA off
(the 'cmd' case of bench/pretrain.ts) at the `stgcn-paper` sizes of src/i2md/config.ts, so the
two can be run side by side on the same cores. It is not a numerical reference: initialisation,
random streams and summation order differ from the engine's, so the losses agree only roughly.

One step, as docs/method.md#moco and #cmd describe it, for the three modalities joint, motion, bone:
  1. EMA of every key encoder (parameters only, not BN statistics), momentum 0.999;
  2. per modality: the modality of both views (motion, bone computed here, as the engine does on
     the GPU), the key pass without gradient, the query pass; both encoders in training mode;
  3. InfoNCE per modality (tau 0.07) against that modality's queue (headDim x K);
  4. CMD: the six ordered pairs (teacher a != student b), each KL(teacher || student) over the
     teacher key's top-k queue slots, at tau_T 0.05 and tau_S 0.1; the sum (lambda_cmd = 1);
  5. backward of L = sum of the three InfoNCE + CMD; SGD (lr 0.01, momentum 0.9, wd 1e-4)
     over the query encoders and their heads;
  6. the keys written into every queue at one shared pointer.
The encoder is scripts/torch_stgcn.py's STGCN (the engine's names and spatial partition) on the
NTU 25-joint layout with the ten default blocks of src/nn/stgcn.ts. Inputs are two fixed random
batches (N, 3, T, V, M) in U(-1, 1), as bench/pretrain.ts feeds: no data loading, no augmentation.

Run with Debian's PyTorch (defaults = stgcn-paper: batch 64, T 64, M 2, h 16 / D 256, K 16384):
    /usr/bin/python3 scripts/torch/stgcn_step.py [--steps 1] [--warmup 1] [--threads N] [--json out.json]
    /usr/bin/python3 scripts/torch/stgcn_step.py --batch 4 --frames 16 --hidden 4 --hidden-dim 32 \\
        --head-dim 16 --queue 64 --topk 16 --steps 2          # a tiny smoke run
Compare with: node dist/bench/pretrain.js --preset stgcn-paper --cases cmd --reps 1
Prints one summary line; the result (one JSON object) goes to --json FILE, or to stdout before the
summary without it. peakRssBytes is the process's lifetime peak (model set-up and warm-up included).
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # scripts/
from torch_stgcn import STGCN  # noqa: E402

# NTU RGB+D (Kinect v2), 1-based, as src/skeleton/layouts.ts: each edge is (child, parent), so the
# same list gives the bones; the centre (SpineShoulder, 21) is its own parent, its bone is zero.
NTU_EDGES = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9), (11, 10), (12, 11),
             (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 23), (23, 8), (24, 25), (25, 12)]
NTU_CENTRE = 21
MODALITIES = ('joint', 'motion', 'bone')

# The stgcn-paper recipe's fixed values (src/i2md/config.ts); the sizes are options below.
TAU, TAU_TEACHER, TAU_STUDENT, LAMBDA_CMD = 0.07, 0.05, 0.1, 1.0
EMA_MOMENTUM, LR, SGD_MOMENTUM, WEIGHT_DECAY = 0.999, 0.01, 0.9, 1e-4


def default_blocks(cin, h, D):
    """The ten blocks [cin, cout, stride] of src/nn/stgcn.ts `defaultBlocks`."""
    return [[cin, h, 1], [h, h, 1], [h, h, 1], [h, h, 1], [h, 2 * h, 2], [2 * h, 2 * h, 1], [2 * h, 2 * h, 1],
            [2 * h, 4 * h, 2], [4 * h, 4 * h, 1], [4 * h, D, 1]]


def ntu_layout(V):
    if V != 25:
        raise SystemExit(f'--joints {V}: only the NTU 25-joint layout is built in')
    return {'V': V, 'edges': [(a - 1, b - 1) for a, b in NTU_EDGES], 'centre': NTU_CENTRE - 1}


def bone_parents(V):
    parent = list(range(V))           # the centre keeps itself
    for child, par in NTU_EDGES:
        parent[child - 1] = par - 1
    return torch.tensor(parent)


def modality_of(x, name, parents):
    """docs/method.md#modalities on (N, C, T, V, M); nothing upstream is trained, so no gradient."""
    if name == 'joint':
        return x
    if name == 'motion':
        m = torch.zeros_like(x)
        m[:, :, :-1] = x[:, :, 1:] - x[:, :, :-1]
        return m
    return x - x.index_select(3, parents)


def info_nce(q, k, sim_q, tau):
    """-log softmax([q.k, q.Q] / tau)[0], batch mean; sim_q = q @ Q (the negatives)."""
    logits = torch.cat([(q * k).sum(1, keepdim=True), sim_q], 1) / tau
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))


def distill_kl(teacher_sim, student_sim, topk, tau_t, tau_s):
    """KL(p_T || p_S) over the teacher's top-k slots per row, batch mean (docs/method.md#cmd).
    The teacher side carries no gradient, so only the student's similarities are trained."""
    top, idx = teacher_sim.topk(topk, dim=1, sorted=False)   # only the set of slots matters
    log_p_s = F.log_softmax(student_sim.gather(1, idx) / tau_s, dim=1)
    p_t = F.softmax(top / tau_t, dim=1)
    return F.kl_div(log_p_s, p_t, reduction='batchmean')


class Stream:
    """One modality: query encoder (+ head, trained), its momentum copy, its queue (d, K)."""

    def __init__(self, name, layout, blocks, head_dim, dropout, queue_size):
        self.name = name
        self.query = STGCN(layout, blocks, 'mlp', head_dim, dropout).train()
        self.key = STGCN(layout, blocks, 'mlp', head_dim, dropout).train()
        self.key.load_state_dict(self.query.state_dict())   # MoCo: the key starts as the query
        self.key.requires_grad_(False)
        self.queue = F.normalize(torch.randn(head_dim, queue_size), dim=0)   # unit columns

    def ema(self, mu):
        for pk, pq in zip(self.key.parameters(), self.query.parameters()):
            pk.mul_(mu).add_(pq, alpha=1 - mu)


class Pretrainer:
    def __init__(self, a):
        layout = ntu_layout(a.joints)
        blocks = default_blocks(3, a.hidden, a.hidden_dim)
        self.streams = [Stream(m, layout, blocks, a.head_dim, a.dropout, a.queue) for m in MODALITIES]
        self.parents = bone_parents(a.joints)
        self.topk, self.queue_size, self.ptr = a.topk, a.queue, 0
        params = [p for s in self.streams for p in s.query.parameters()]
        self.optimiser = torch.optim.SGD(params, LR, momentum=SGD_MOMENTUM, weight_decay=WEIGHT_DECAY)

    def step(self, x1, x2):
        """One step in the engine's order: EMA, key + query passes, losses, backward, SGD, enqueue."""
        with torch.no_grad():
            for s in self.streams:
                s.ema(EMA_MOMENTUM)
        qs, ks = [], []
        for s in self.streams:
            with torch.no_grad():
                v1, v2 = modality_of(x1, s.name, self.parents), modality_of(x2, s.name, self.parents)
                # key pass first, as ours: its activations are dropped before the query pass runs
                ks.append(F.normalize(s.key.project(s.key(v2)), dim=1))
            qs.append(F.normalize(s.query.project(s.query(v1)), dim=1))
        # one (N, K) similarity per side and modality, shared by InfoNCE and every CMD pair that
        # uses it (ours shares them across the CMD pairs too; its InfoNCE kernel forms q.Q itself)
        student = [q @ s.queue for q, s in zip(qs, self.streams)]
        with torch.no_grad():
            teacher = [k @ s.queue for k, s in zip(ks, self.streams)]
        terms = {f'nce_{s.name}': info_nce(q, k, sq, TAU) for s, q, k, sq in zip(self.streams, qs, ks, student)}
        cmd = sum(distill_kl(teacher[a], student[b], self.topk, TAU_TEACHER, TAU_STUDENT)
                  for a in range(len(self.streams)) for b in range(len(self.streams)) if a != b)
        terms['cmd'] = LAMBDA_CMD * cmd
        total = sum(terms.values())
        self.optimiser.zero_grad(set_to_none=True)
        total.backward()
        self.optimiser.step()
        n = x1.shape[0]
        with torch.no_grad():   # all queues advance together, so slot j is one sample everywhere
            for k, s in zip(ks, self.streams):
                s.queue[:, self.ptr:self.ptr + n] = k.T
        self.ptr = (self.ptr + n) % self.queue_size
        return total.item()


def parse_args():
    p = argparse.ArgumentParser(description='PyTorch CPU MoCo + CMD step on ST-GCN (timing and memory only)')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--frames', type=int, default=64)
    p.add_argument('--persons', type=int, default=2)
    p.add_argument('--joints', type=int, default=25)
    p.add_argument('--hidden', type=int, default=16, help='ST-GCN h')
    p.add_argument('--hidden-dim', type=int, default=256, help='ST-GCN D (feature size)')
    p.add_argument('--head-dim', type=int, default=128, help='projection / queue feature size d')
    p.add_argument('--queue', type=int, default=16384, help='queue slots K (a multiple of --batch)')
    p.add_argument('--topk', type=int, default=8192)
    p.add_argument('--dropout', type=float, default=0.5)
    p.add_argument('--steps', type=int, default=1, help='timed steps')
    p.add_argument('--warmup', type=int, default=1, help='untimed steps before them')
    p.add_argument('--threads', type=int, default=None, help="torch.set_num_threads (default: torch's own)")
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--json', metavar='FILE', help='write the result here instead of stdout')
    a = p.parse_args()
    if a.queue % a.batch:
        p.error(f'--queue {a.queue} must be a multiple of --batch {a.batch} (a batch never wraps, as in ours)')
    if not 1 <= a.topk <= a.queue:
        p.error(f'--topk {a.topk} must be in [1, --queue]')
    if a.steps < 1 or a.warmup < 0:
        p.error('--steps must be >= 1 and --warmup >= 0')
    return a


def main():
    a = parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    trainer = Pretrainer(a)
    shape = (a.batch, 3, a.frames, a.joints, a.persons)
    x1, x2 = torch.rand(shape) * 2 - 1, torch.rand(shape) * 2 - 1
    for _ in range(a.warmup):
        trainer.step(x1, x2)
    wall, cpu = [], []
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = trainer.step(x1, x2)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = min(wall)
    result = {
        'impl': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': a.batch,
        'stepsTimed': a.steps, 'secondsPerStep': wall, 'bestSecondsPerStep': best, 'samplesPerS': a.batch / best,
        'cpuSecondsPerStep': sum(cpu) / len(cpu),   # process CPU time (all threads), mean of the timed steps
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,   # Linux reports KiB
        'loss': loss,
        'detail': f'B={a.batch} T={a.frames} V={a.joints} M={a.persons} ST-GCN h={a.hidden} D={a.hidden_dim} '
                  f'd={a.head_dim} K={a.queue} top-k={a.topk}',
    }
    if a.json:
        with open(a.json, 'w') as fh:
            json.dump(result, fh, indent=1)
            fh.write('\n')
    else:
        print(json.dumps(result))
    print(f'pytorch {torch.__version__}, {result["threads"]} threads, MoCo + CMD step ({result["detail"]}): '
          f'best {best:.3f} s, {result["samplesPerS"]:.2f} samples/s, cpu {result["cpuSecondsPerStep"]:.3f} s/step, '
          f'peak RSS {result["peakRssBytes"] / 2 ** 20:.0f} MiB, loss {loss:.4f}')
    if not torch.isfinite(torch.tensor(loss)):
        sys.exit(f'the loss is {loss}')


if __name__ == '__main__':
    main()
