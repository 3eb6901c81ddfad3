/** A child of `h`: nodes, text, and nothing for false, null and undefined (conditional children). */
export type Child = Node | string | number | false | null | undefined | Child[];

type AttributeValue = string | number | boolean | null | undefined | ((event: Event) => void);

/**
 * Creates an element: `h('button', { type: 'button', onclick: save }, 'Save')`. Attributes named
 * on<event> become listeners; `true` sets a boolean attribute, `false`, null and undefined leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, AttributeValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined)
      element.setAttribute(name, String(value));
  }
  element.append(...nodes(children));
  return element;
}

/** Replaces an element's children with what `h` would give it: conditional children allowed. */
export function setChildren(element: Element, ...children: Child[]): void {
  element.replaceChildren(...nodes(children));
}

function nodes(children: Child[]): (Node | string)[] {
  return children.flatMap((child) => {
    if (Array.isArray(child)) return nodes(child);
    if (child === false || child === null || child === undefined) return [];
    return typeof child === 'number' ? [String(child)] : [child];
  });
}

let lastId = 0;

/** A document-unique id, for label/aria-describedby pairs. */
export function uniqueId(prefix: string): string {
  lastId += 1;
  return `${prefix}-${lastId}`;
}
