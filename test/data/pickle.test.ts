import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pickleLabels, unpickle, labelsFromValue } from '../../src/data/pickle.js';
import { FormatError } from '../../src/util/errors.js';

const t = suite('pickle');
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// (['ab'], [1]) and (['ab', 'c'], [5, 300]) as Python 3.8+ pickle.dumps(obj, 4) writes them.
const P4_ONE = '8004 95 1000000000000000 5d94 8c026162 94 61 5d94 4b01 61 86 94 2e';
const P4_TWO = '8004 95 1900000000000000 5d94 28 8c02616294 8c016394 65 5d94 28 4b05 4d2c01 65 8694 2e';
// The same two-sample tuple with protocol 3 (older Python): BINUNICODE and BINPUT, no frames.
const P3_TWO = '8003 5d7100 28 5802000000616271 01 580100000063 7102 65 5d7103 28 4b05 4d2c01 65 867104 2e';
// (['x', 'y'], [np.float64(3.0), np.float64(7.0)]) from numpy 2 (numpy._core), protocol 4.
const NUMPY_F64 = '8004958f000000000000005d94288c0178948c017994655d94288c166e756d70792e5f636f72652e6d756c74696172726179948c067363616c61729493948c056e756d7079948c0564747970659493948c02663894898887945294284b038c013c944e4e4e4affffffff4affffffff4b007494624308000000000000084094869452946806680c43080000000000001c4094869452946586942e';
// (['x'], [np.float64(3.0)]) protocol 3: GLOBAL with "module\nname\n" lines.
const NUMPY_F64_P3 = '80035d71005801000000787101615d7102636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7103636e756d70790a64747970650a71045802000000663871058988877106527107284b0358010000003c71084e4e4e4affffffff4affffffff4b007471096243080000000000000840710a86710b52710c6186710d2e';

t('writer: protocol 4, one sample uses APPEND', () => {
  assert.is(Buffer.from(pickleLabels(['ab'], [1], 4)).toString('hex'), hex(P4_ONE).toString('hex'));
});
t('writer: protocol 4, MARK … APPENDS and BININT2', () => {
  assert.is(Buffer.from(pickleLabels(['ab', 'c'], [5, 300], 4)).toString('hex'), hex(P4_TWO).toString('hex'));
});
t('writer: protocol 3', () => {
  assert.is(Buffer.from(pickleLabels(['ab', 'c'], [5, 300], 3)).toString('hex'), hex(P3_TWO).toString('hex'));
});
t('writer: batches of 1000 and frames of 64 KiB', () => {
  const names = Array.from({ length: 4001 }, (_, i) => `S001C001P001R001A${String(i).padStart(6, '0')}`);
  const labels = names.map((_, i) => (i % 3 === 0 ? 70000 + i : i % 60));
  const b = Buffer.from(pickleLabels(names, labels, 4));
  assert.is(b.filter((x) => x === 0x65).length >= 10, true);
  // First frame: committed at the first object boundary past 65536 bytes.
  const first = Number(b.readBigUInt64LE(3));
  assert.ok(first >= 65536 && first < 65536 + 40);
  assert.is(b[2 + 9 + first], 0x95);
  const back = labelsFromValue(unpickle(b, 'big.pkl'), 'big.pkl');
  assert.equal(back.names, names);
  assert.equal(back.labels, labels);
});
t('reader: int labels, protocols 3 and 4', () => {
  for (const src of [P4_TWO, P3_TWO]) assert.equal(labelsFromValue(unpickle(hex(src), 'l.pkl'), 'l.pkl'), { names: ['ab', 'c'], labels: [5, 300] });
});
t('reader: numpy float64 scalar labels', () => {
  assert.equal(labelsFromValue(unpickle(hex(NUMPY_F64), 'pku.pkl'), 'pku.pkl'), { names: ['x', 'y'], labels: [3, 7] });
  assert.equal(labelsFromValue(unpickle(hex(NUMPY_F64_P3), 'pku.pkl'), 'pku.pkl'), { names: ['x'], labels: [3] });
});
t('reader: LONG1, BINFLOAT, dicts, None, booleans', () => {
  // {'a': [None, True, False, 1.5, -2**40]}
  const b = hex('8004 7d94 8c016194 5d94 28 4e 88 89 47 3ff8000000000000 8a0600000000 00ff 65 73 2e');
  const v = unpickle(b, 'x.pkl') as Map<unknown, unknown>;
  assert.equal(v.get('a'), [null, true, false, 1.5, -(2 ** 40)]);
});
t('reader: an unknown opcode is rejected by name with its offset', () => {
  // INST (i) at byte 2 — an opcode that would construct an object.
  const b = hex('8004 69 6f730a73797374656d0a 2e');
  try { unpickle(b, 'evil.pkl'); assert.unreachable(); } catch (e) {
    assert.instance(e, FormatError);
    assert.match((e as Error).message, /evil\.pkl: byte 2: opcode INST \(0x69\) is not allowed/);
  }
});
t('reader: a global outside the allow-list is rejected by name', () => {
  const b = hex('8003 63 6f730a73797374656d0a 2e'); // GLOBAL os.system
  try { unpickle(b, 'evil.pkl'); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, /byte 2: global os\.system is not allowed/);
  }
});

t.run();
