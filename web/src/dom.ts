// Small DOM helpers: an element builder and a labelled number input, so panels read as layout.

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes (booleans add or omit the attribute) and children.
 * @example
 * h("label", { for: "beta" }, "β"); // <label for="beta">β</label>
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

/** The element with this id, typed; throws when the page lacks it (a broken build, not a user error). */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`web lab: #${id} is missing or not a ${type.name}`);
  return el;
}

/** A number input's value, or null when it is empty or not a finite number. */
export function inputNumber(input: HTMLInputElement): number | null {
  if (input.value.trim() === "") return null;
  const v = Number(input.value);
  return Number.isFinite(v) ? v : null;
}

/** Formats a number for display: 4 significant digits, exponent notation for very large/small. */
export function show(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * Words that follow the language switch: text nodes and attributes bound to a function of the current
 * words, all rewritten by `set` (the elements, their values and listeners stay as they are).
 * @example
 * const words = new Words({ run: "Run" });
 * const button = h("button", {}, words.text((w) => w.run));
 * words.set({ run: "실행" }); // button.textContent === "실행"
 */
export class Words<T> {
  #current: T;
  readonly #bindings: ((words: T) => void)[] = [];

  constructor(words: T) {
    this.#current = words;
  }

  get current(): T {
    return this.#current;
  }

  /** A text node showing `pick(words)`. */
  text(pick: (words: T) => string): Text {
    const node = document.createTextNode(pick(this.#current));
    this.#bindings.push((w) => {
      node.data = pick(w);
    });
    return node;
  }

  /** Sets the attribute `name` of `el` to `pick(words)`, now and on every `set`; returns `el`. */
  attr<E extends Element>(el: E, name: string, pick: (words: T) => string): E {
    const apply = (w: T) => el.setAttribute(name, pick(w));
    apply(this.#current);
    this.#bindings.push(apply);
    return el;
  }

  /** Runs `apply` now and on every `set`. */
  on(apply: (words: T) => void): void {
    apply(this.#current);
    this.#bindings.push(apply);
  }

  set(words: T): void {
    this.#current = words;
    for (const apply of this.#bindings) apply(words);
  }
}
