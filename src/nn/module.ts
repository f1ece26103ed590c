/**
 * A tiny module system in PyTorch's shape: a module owns parameters, buffers (running statistics)
 * and child modules under names, so `namedParameters()` yields exactly the dotted names of a
 * PyTorch `state_dict` ("st_gcn_networks.3.tcn.2.weight"). Train/eval mode propagates to children.
 *
 * Parameters and buffers are kept tensors (they outlive every `tidy`); `dispose()` frees them.
 */
import type { Tensor } from '../tensor/tensor.js';

/** An integer buffer held on the CPU: BatchNorm's num_batches_tracked (int64 in PyTorch). */
export class Counter {
  constructor(public value = 0) {}
}

export class Module {
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownCounters = new Map<string, Counter>();
  private readonly kids = new Map<string, Module>();

  /** Registers a trainable tensor (made a gradient-collecting leaf). */
  protected addParam(name: string, t: Tensor): Tensor {
    if (this.has(name)) throw new Error(`module: "${name}" is registered twice`);
    this.ownParams.set(name, t.param());
    return t;
  }
  /** Registers a non-trainable tensor that belongs to the state (running statistics). */
  protected addBuffer(name: string, t: Tensor): Tensor {
    if (this.has(name)) throw new Error(`module: "${name}" is registered twice`);
    this.ownBuffers.set(name, t.keep());
    return t;
  }
  protected addCounter(name: string, c = new Counter()): Counter {
    if (this.has(name)) throw new Error(`module: "${name}" is registered twice`);
    this.ownCounters.set(name, c);
    return c;
  }
  protected addChild<M extends Module>(name: string, m: M): M {
    if (this.has(name)) throw new Error(`module: "${name}" is registered twice`);
    this.kids.set(name, m);
    return m;
  }
  private has(name: string): boolean {
    return this.ownParams.has(name) || this.ownBuffers.has(name) || this.ownCounters.has(name) || this.kids.has(name);
  }

  /** (name, module) for this module and every descendant, depth first, in registration order. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.kids) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }
  private collect<T>(pick: (m: Module) => Map<string, T>): [string, T][] {
    const out: [string, T][] = [];
    for (const [prefix, m] of this.namedModules()) for (const [n, t] of pick(m)) out.push([prefix ? `${prefix}.${n}` : n, t]);
    return out;
  }
  namedParameters(): [string, Tensor][] { return this.collect((m) => m.ownParams); }
  parameters(): Tensor[] { return this.namedParameters().map(([, t]) => t); }
  namedBuffers(): [string, Tensor][] { return this.collect((m) => m.ownBuffers); }
  buffers(): Tensor[] { return this.namedBuffers().map(([, t]) => t); }
  namedCounters(): [string, Counter][] { return this.collect((m) => m.ownCounters); }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }
  eval(): this { return this.train(false); }

  /** Frees every parameter and buffer of this module and its children. */
  dispose(): void {
    for (const t of [...this.parameters(), ...this.buffers()]) t.dispose();
  }
}

/** nn.ModuleList: children named "0", "1", …. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];
  append(m: M): M { this.items.push(this.addChild(String(this.items.length), m)); return m; }
}

/** nn.ParameterList: parameters named "0", "1", …. */
export class ParameterList extends Module {
  readonly items: Tensor[] = [];
  append(t: Tensor): Tensor { this.items.push(this.addParam(String(this.items.length), t)); return t; }
}
