package org.cpift.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import smile.clustering.HierarchicalClustering;
import smile.clustering.linkage.CompleteLinkage;
import smile.clustering.linkage.SingleLinkage;
import smile.clustering.linkage.UPGMALinkage;

/**
 * Step 3b of CPI-FT: tasks whose core regions overlap are grouped. With J the Jaccard matrix,
 * tasks i and j are linked when J(Ci, Cj) ≥ τ and the groups are the connected components — that
 * is single-linkage hierarchical clustering on the distance 1 − J cut at 1 − τ. Average and
 * complete linkage and a fixed number of groups are offered for the ablations.
 *
 * <p>The dendrogram comes from Smile ({@code HierarchicalClustering} on a precomputed proximity
 * matrix). Smile stores heights as float, so a similarity exactly at τ could fall on either side
 * of its cut; this class therefore recomputes each merge's linkage similarity exactly (in double,
 * from the members) and applies the rule J ≥ τ itself. Single linkage is cross-checked against a
 * plain union-find; "everything linked" and "nothing linked" need no special case.
 */
public final class TaskGrouping {
  private static final Logger LOG = LoggerFactory.getLogger(TaskGrouping.class);

  private TaskGrouping() {}

  /** One merge of the dendrogram: clusters (as member lists) joined at linkage similarity. */
  public record Merge(List<Integer> left, List<Integer> right, double similarity) {}

  /**
   * The result: groups (each sorted, ordered by smallest member) and the full dendrogram.
   */
  public record Grouping(List<List<Integer>> groups, List<Merge> dendrogram) {}

  public static Grouping group(double[][] jaccard, GroupingConfig cfg) {
    int n = jaccard.length;
    List<List<Integer>> singletons = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      singletons.add(List.of(i));
    }
    if (n < 2) {
      return new Grouping(singletons, List.of());
    }
    double[][] prox = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        prox[i][j] = i == j ? 0 : 1 - jaccard[i][j];
      }
    }
    HierarchicalClustering hc = HierarchicalClustering.fit(switch (cfg.linkage()) {
      case SINGLE -> new SingleLinkage(prox);
      case AVERAGE -> new UPGMALinkage(prox);
      case COMPLETE -> new CompleteLinkage(prox);
    });
    int[][] tree = hc.getTree();
    List<List<Integer>> clusters = new ArrayList<>(singletons); // id -> members
    List<Merge> dendrogram = new ArrayList<>();
    for (int[] m : tree) {
      List<Integer> a = clusters.get(m[0]);
      List<Integer> b = clusters.get(m[1]);
      List<Integer> joined = new ArrayList<>(a);
      joined.addAll(b);
      joined.sort(Comparator.naturalOrder());
      clusters.add(joined);
      dendrogram.add(new Merge(a, b, similarity(jaccard, a, b, cfg.linkage())));
    }
    UnionFind uf = new UnionFind(n);
    if (cfg.fixedGroups() > 0) {
      if (cfg.fixedGroups() > n) {
        LOG.warn("{} fixed groups asked for: more groups than there are tasks ({}); each task is its own "
            + "group", cfg.fixedGroups(), n);
      }
      int merges = Math.max(0, n - Math.min(cfg.fixedGroups(), n));
      for (int i = 0; i < merges; i++) {
        uf.union(dendrogram.get(i).left().get(0), dendrogram.get(i).right().get(0));
      }
    } else {
      // apply every merge whose exact similarity reaches τ (merges are nested: a merge of two
      // clusters implies both were formed, since heights are monotone for these linkages)
      for (Merge m : dendrogram) {
        if (m.similarity() >= cfg.tau() && formed(uf, m.left()) && formed(uf, m.right())) {
          uf.union(m.left().get(0), m.right().get(0));
        }
      }
    }
    List<List<Integer>> groups = uf.components();
    if (cfg.linkage() == GroupingConfig.Linkage.SINGLE && cfg.fixedGroups() == 0) {
      List<List<Integer>> reference = UnionFind.components(jaccard, cfg.tau());
      if (!reference.equals(groups)) {
        LOG.warn("dendrogram cut {} differs from the connected components {} (float ties); "
            + "using the components, which are the definition", groups, reference);
        groups = reference;
      }
    }
    return new Grouping(groups, dendrogram);
  }

  private static boolean formed(UnionFind uf, List<Integer> members) {
    int root = uf.find(members.get(0));
    for (int m : members) {
      if (uf.find(m) != root) {
        return false;
      }
    }
    return true;
  }

  /** Exact linkage similarity between two clusters: max (single), mean (average), min (complete). */
  static double similarity(double[][] j, List<Integer> a, List<Integer> b,
      GroupingConfig.Linkage linkage) {
    double best = linkage == GroupingConfig.Linkage.COMPLETE ? Double.POSITIVE_INFINITY
        : Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (int x : a) {
      for (int y : b) {
        sum += j[x][y];
        best = linkage == GroupingConfig.Linkage.COMPLETE ? Math.min(best, j[x][y])
            : Math.max(best, j[x][y]);
      }
    }
    return linkage == GroupingConfig.Linkage.AVERAGE ? sum / (a.size() * b.size()) : best;
  }
}
