package org.commonclient.clustering;

import java.util.Arrays;

/**
 * Union-find over an edge list of long vertex ids, in primitive arrays (no boxed maps): the ids
 * are sorted and deduplicated, edges are mapped to indexes by binary search, and the forest is
 * an int array with path halving and union by smaller root id, so each root is the smallest id
 * of its component.
 */
final class UnionFindArrays {
  private UnionFindArrays() {}

  /**
   * @return two parallel arrays: every vertex that is not the smallest of its component, and the
   *     smallest vertex of its component
   */
  static long[][] rootsByMinimum(long[] a, long[] b) {
    int m = a.length;
    long[] ids = new long[2 * m];
    System.arraycopy(a, 0, ids, 0, m);
    System.arraycopy(b, 0, ids, m, m);
    Arrays.sort(ids);
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      if (i == 0 || ids[i] != ids[i - 1]) {
        ids[n++] = ids[i];
      }
    }
    // sorted ids: a smaller index is a smaller id, so union by smaller index keeps the minimum
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (int e = 0; e < m; e++) {
      int x = find(parent, Arrays.binarySearch(ids, 0, n, a[e]));
      int y = find(parent, Arrays.binarySearch(ids, 0, n, b[e]));
      if (x != y) {
        if (x < y) {
          parent[y] = x;
        } else {
          parent[x] = y;
        }
      }
    }
    int children = 0;
    for (int i = 0; i < n; i++) {
      if (find(parent, i) != i) {
        children++;
      }
    }
    long[] vertex = new long[children];
    long[] root = new long[children];
    int k = 0;
    for (int i = 0; i < n; i++) {
      int r = find(parent, i);
      if (r != i) {
        vertex[k] = ids[i];
        root[k] = ids[r];
        k++;
      }
    }
    return new long[][] {vertex, root};
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
