/**
 * The tape's memory rules (src/tensor/autograd.ts): a backward rule's temporaries go when it
 * returns; `release` frees the forward's tensors once no rule left can read them, and the
 * gradients are the same as without it; `releaseUnread` frees only what no rule reads.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initEngine, Tensor, tidy, backward, releaseUnread, G } from '../../src/tensor/index.js';
import { mul, div, addRelu, exp } from '../../src/ops/elementwise.js';
import { sumAxes } from '../../src/ops/reduce.js';
import { dropout } from '../../src/ops/dropout.js';
import { GpuRng } from '../../src/ops/random.js';

const t = suite('tensor/autograd');
t.before(async () => { await initEngine(); });

/** loss = Σ exp(exp(w ∘ x) ∘ w): three records, two forward intermediates. */
function chain(w: Tensor, x: Tensor) {
  const a = mul(w, x);
  const b = exp(a);
  const c = exp(mul(b, w));
  return { a, b, c, loss: sumAxes(c) };
}

t('with release the gradients are the same, the intermediates are freed and what is retained stays', async () => {
  const x = Tensor.from([0.1, -0.2, 0.3, 0.05]).keep();
  const grads: Float32Array[] = [];
  for (const release of [false, true]) {
    const w = Tensor.from([0.5, 0.4, -0.3, 0.2]).param();
    const seen = tidy(() => {
      const { a, b, c, loss } = chain(w, x);
      backward(loss, undefined, { release, retain: [b] });
      return { freed: [a.isDisposed, b.isDisposed, c.isDisposed, loss.isDisposed], b: b.isDisposed ? undefined : b };
    });
    if (release) {
      assert.equal(seen.freed, [true, false, true, false], 'a and c freed; b retained; the root stays');
      assert.ok(seen.b && (await seen.b.read()).length === 4, 'the retained tensor is readable');
    } else assert.equal(seen.freed, [false, false, false, false]);
    seen.b?.dispose();
    grads.push(await w.grad!.read());
    w.grad!.dispose(); w.dispose();
  }
  assert.equal([...grads[1]], [...grads[0]], 'bit-identical gradients');
  x.dispose();
});

t('a backward rule\'s temporaries are freed as it returns', () => {
  const pool = G().pool;
  const a = Tensor.from([1, 2, 3, 4]).param(), b = Tensor.from([2, 3, 4, 5]).param();
  tidy(() => {
    const loss = sumAxes(div(a, b));
    const before = pool.liveBytes;
    // div's rule makes out / b and g · (out / b) on the way to −g·out/b: both go with the rule
    backward(loss);
    assert.is(pool.liveBytes, before + 2 * 256, 'only the two leaf gradients are new');
  });
  for (const p of [a, b]) { p.grad!.dispose(); p.dispose(); }
});

t('releaseUnread frees what no rule reads and keeps what one does', () => {
  const x = Tensor.from([1, -2, 3, -4]).param();
  tidy(() => {
    const y = mul(x, x);                                     // mul declares nothing: its inputs and output count as read
    const d = dropout(y, 0.5, new GpuRng(3), true);          // dropout's rule reads nothing
    const out = addRelu(d, x);                               // addRelu's rule reads only its output
    releaseUnread(y, d, x);
    assert.ok(!y.isDisposed, 'read by default (mul records no reads): kept');
    assert.ok(!x.isDisposed, 'read by mul: kept');
    assert.ok(d.isDisposed, 'read by no rule: freed');
    assert.throws(() => d.buffer, /disposed/);
    backward(sumAxes(out));
  });
  assert.ok(x.grad);
  x.grad!.dispose(); x.dispose();
});

t.run();
