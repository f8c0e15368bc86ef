/**
 * Groups records that name the same vulnerability: two records are one vulnerability when one's
 * id is among the other's aliases or they share an alias (GHSA-x aliasing CVE-y and RUSTSEC-z
 * aliasing CVE-y). Transitive, so it is a union-find over ids. `related` is not an alias and
 * does not link.
 */
export interface AliasLinked {
  id: string;
  aliases: readonly string[];
}

export function groupByAliases<T extends AliasLinked>(items: readonly T[]): T[][] {
  if (items.length <= 1) return items.length === 0 ? [] : [[...items]];
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    // path compression
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur) as string;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const add = (x: string): void => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const item of items) {
    add(item.id);
    for (const alias of item.aliases) {
      add(alias);
      const a = find(item.id);
      const b = find(alias);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const root = find(item.id);
    const g = groups.get(root);
    if (g) g.push(item);
    else groups.set(root, [item]);
  }
  return [...groups.values()];
}
