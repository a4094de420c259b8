package org.commonclient.clustering;

import java.util.HashMap;
import java.util.Map;

/** Plain union-find over long ids: the reference for connected components (test helper). */
final class UnionFind {
  private final Map<Long, Long> parent = new HashMap<>();

  void add(long x) {
    parent.putIfAbsent(x, x);
  }

  long find(long x) {
    add(x);
    long root = x;
    while (parent.get(root) != root) {
      root = parent.get(root);
    }
    while (parent.get(x) != root) {
      long next = parent.get(x);
      parent.put(x, root);
      x = next;
    }
    return root;
  }

  /** Unions so the smaller id is the root: find() then returns the component minimum. */
  void union(long a, long b) {
    long ra = find(a);
    long rb = find(b);
    if (ra != rb) {
      parent.put(Math.max(ra, rb), Math.min(ra, rb));
    }
  }

  Map<Long, Long> components() {
    Map<Long, Long> out = new HashMap<>();
    for (Long x : parent.keySet()) {
      out.put(x, find(x));
    }
    return out;
  }
}
