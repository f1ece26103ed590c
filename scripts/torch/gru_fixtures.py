"""
Writes the PyTorch checkpoint fixtures of test/data/torch-checkpoint.test.ts into
test/fixtures/pth/ (run it from the repository root with Debian's python3-torch):

    /usr/bin/python3 scripts/torch/gru_fixtures.py

  moco-gru.pth.tar      what the official pre-training saves: {'epoch', 'state_dict', 'optimizer'}
                        of a MoCo module with three GRU streams (hidden 4, 2 layers, MLP head 8 → 6,
                        queues 6 × 16), after one SGD step so the optimizer holds momentum buffers,
                        with random BN statistics
  moco-gru.expected.json  an input and the joint / motion / bone query encoders' features (faithful
                        mode, eval) and head outputs computed by PyTorch on it
  state-dict.pth.tar    a bare state dict of one stream encoder (torch.save(model.state_dict()))
  legacy.pth.tar        the same saved in the pre-1.6 (non-zip) format: must be refused with a hint
  evil-reduce.pth.tar   a zip checkpoint whose pickle calls os.system through REDUCE
  evil-builtins.pth.tar a pickle reaching builtins.eval through GLOBAL
  evil-inst.pth.tar     a pickle using the INST opcode (imports and calls in one opcode)
Loading any evil file with torch.load would run its command; the engine must refuse all three.
"""
import io
import json
import os
import sys
import zipfile

import torch

sys.path.insert(0, os.path.dirname(__file__))
from cmd_gru import MoCoStreams, StreamEncoder  # noqa: E402

OUT = 'test/fixtures/pth'
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)

model = MoCoStreams(dim=6, K=16, inputs=150, hidden=4, layers=2)
with torch.no_grad():
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.3, 0.3)
            m.num_batches_tracked.fill_(5)
    model.queue_ptr.fill_(8)
    model.queue_ptr_motion.fill_(8)
    model.queue_ptr_bone.fill_(8)
params = [p for n, p in model.named_parameters() if n.startswith('encoder_q')]
opt = torch.optim.SGD(params, 0.01, momentum=0.9, weight_decay=1e-4)
x = torch.randn(3, 3, 5, 25, 2)
model.train()
loss = sum(getattr(model, f'encoder_q{s}').features(x).pow(2).sum() for s in ['', '_motion', '_bone'])
opt.zero_grad()
loss.backward()
opt.step()
torch.save({'epoch': 3, 'state_dict': model.state_dict(), 'optimizer': opt.state_dict()}, f'{OUT}/moco-gru.pth.tar')

model.eval()
expected = {'input_shape': list(x.shape), 'input': x.flatten().tolist(), 'streams': {}}
with torch.no_grad():
    for stream, s in [('joint', ''), ('motion', '_motion'), ('bone', '_bone')]:
        enc = getattr(model, f'encoder_q{s}')
        f = enc.features(x)
        expected['streams'][stream] = {'features': f.flatten().tolist(), 'head': enc.head(f).flatten().tolist()}
with open(f'{OUT}/moco-gru.expected.json', 'w') as fh:
    json.dump(expected, fh)

one = StreamEncoder(inputs=150, hidden=4, layers=2, out=6)
torch.save(one.state_dict(), f'{OUT}/state-dict.pth.tar')
torch.save(one.state_dict(), f'{OUT}/legacy.pth.tar', _use_new_zipfile_serialization=False)


class Evil:
    def __reduce__(self):
        return (os.system, ('echo this pickle ran a command',))


torch.save({'epoch': 1, 'state_dict': {'x': Evil()}}, f'{OUT}/evil-reduce.pth.tar')


def zip_with_pickle(path, payload):
    """A checkpoint zip laid out as torch.save lays it out, with a handmade data.pkl."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', payload)
        z.writestr('archive/version', '3\n')


# GLOBAL builtins.eval, a string, TUPLE1, REDUCE, STOP
zip_with_pickle(f'{OUT}/evil-builtins.pth.tar', b'\x80\x02cbuiltins\neval\nX\x1d\x00\x00\x00print("this pickle ran code")\x85R.')
# MARK, a string, INST os system: import and call in one opcode
zip_with_pickle(f'{OUT}/evil-inst.pth.tar', b'(X\x0b\x00\x00\x00echo hackedios\nsystem\n.')
print('wrote', sorted(os.listdir(OUT)))
