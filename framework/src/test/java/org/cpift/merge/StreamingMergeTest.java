package org.cpift.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.core.CoreConfig;
import org.cpift.core.CoreRegion;
import org.cpift.core.CoreRegionSelection;
import org.cpift.core.ImportanceScore;
import org.cpift.model.ModelConfig;
import org.cpift.model.ParameterLayout;
import org.cpift.params.Param;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPI-FT's host steps from files, tensor by tensor, against the in-memory steps: the streamed
 * safetensors file is byte for byte what the one-shot writer gives, and a writer never committed
 * leaves nothing; streamed core selection gives the same masks (global scope with many tied
 * scores, per-tensor scope, embeddings and norms excluded); streamed fusion gives the same tensors
 * bit for bit.
 */
class StreamingMergeTest {
  @TempDir Path dir;

  static ParamSnapshot random(SplittableRandom rnd, ParamSnapshot around, double scale,
      boolean quantized) {
    ParamSnapshot out = new ParamSnapshot();
    for (Map.Entry<String, long[]> e : ParameterLayout.of(ModelConfig.tiny(41)).entrySet()) {
      float[] v = new float[(int) Param.numElements(e.getValue())];
      for (int j = 0; j < v.length; j++) {
        double d = rnd.nextDouble(-scale, scale);
        if (quantized) {
          d = Math.round(d / scale * 20) / 20.0 * scale; // 41 distinct deltas: ties at the cut
        }
        v[j] = around == null ? (float) d : around.get(e.getKey()).data()[j] + (float) d;
      }
      out.put(new Param(e.getKey(), e.getValue(), v));
    }
    return out;
  }

  private Path write(String name, ParamSnapshot s) {
    Path f = dir.resolve(name + ".safetensors");
    Safetensors.write(f, s, Map.of("note", name));
    return f;
  }

  @Test
  void theStreamedFileIsByteForByteTheOneShotFile() throws Exception {
    ParamSnapshot s = random(new SplittableRandom(1), null, 0.1, false);
    Path once = write("once", s);
    Map<String, long[]> layout = new LinkedHashMap<>();
    s.params().forEach(p -> layout.put(p.name(), p.shape()));
    Path streamed = dir.resolve("streamed.safetensors");
    try (Safetensors.Writer w = Safetensors.create(streamed, layout, Map.of("note", "once"))) {
      s.params().forEach(w::write);
      w.commit();
    }
    assertEquals(-1, Files.mismatch(once, streamed));
    try (Safetensors.Lazy l = Safetensors.open(streamed)) {
      assertEquals(new ArrayList<>(s.names()), l.names());
      for (Param p : s.params()) {
        assertArrayEquals(p.data(), l.tensor(p.name()).data(), 0f, p.name());
      }
    }
    // out of order refused; never committed: no file, no temporary left
    Path partial = dir.resolve("sub/partial.safetensors");
    try (Safetensors.Writer w = Safetensors.create(partial, layout, Map.of())) {
      List<Param> ps = new ArrayList<>(s.params());
      assertThrows(IllegalStateException.class, () -> w.write(ps.get(1)));
      w.write(ps.get(0));
      assertThrows(IllegalStateException.class, w::commit);
    }
    try (var files = Files.list(partial.getParent())) {
      assertEquals(0, files.count(), "a writer closed without commit leaves nothing");
    }
  }

  @Test
  void streamedSelectionGivesTheInMemoryMasks() {
    SplittableRandom rnd = new SplittableRandom(2);
    ParamSnapshot base = random(rnd, null, 0.05, false);
    ParamSnapshot expert = random(rnd, base, 0.01, true);
    Path b = write("base", base);
    Path e = write("expert", expert);
    ParamSnapshot scores = ImportanceScore.ABS_DELTA.compute(base, expert, null, 0f);
    for (CoreConfig cfg : List.of(CoreConfig.paper(), CoreConfig.paper().withTopPercent(7.5),
        CoreConfig.paper().withScope(CoreConfig.Scope.PER_TENSOR),
        CoreConfig.paper().withExcludeEmbeddingsAndNorms(true))) {
      CoreRegion want = CoreRegionSelection.select("t", scores, cfg, 0);
      CoreRegion got;
      try (Safetensors.Lazy lb = Safetensors.open(b); Safetensors.Lazy le = Safetensors.open(e)) {
        got = CoreRegionSelection.selectStreaming("t", lb, le, cfg);
      }
      assertEquals(want.eligible(), got.eligible());
      assertThrows(IllegalArgumentException.class, () -> {
        try (Safetensors.Lazy lb = Safetensors.open(b); Safetensors.Lazy le = Safetensors.open(e)) {
          CoreRegionSelection.selectStreaming("t", lb, le, cfg.withScore(ImportanceScore.FISHER));
        }
      }, "a score the files cannot give is refused, not replaced by |delta|");
      assertTrue(want.mask().cardinality() > 0);
      for (Param p : base.params()) {
        assertEquals(want.mask().get(p.name()), got.mask().get(p.name()), cfg + " " + p.name());
      }
    }
  }

  @Test
  void streamedFusionGivesTheInMemoryTensors() {
    SplittableRandom rnd = new SplittableRandom(3);
    ParamSnapshot base = random(rnd, null, 0.05, false);
    List<ParamSnapshot> experts = new ArrayList<>();
    List<ParamMask> cores = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ParamSnapshot x = random(rnd, base, 0.01, false);
      experts.add(x);
      files.add(write("e" + i, x));
      cores.add(CoreRegionSelection.select("t" + i, ImportanceScore.ABS_DELTA.compute(base, x,
          null, 0f), CoreConfig.paper().withTopPercent(5), 0).mask());
    }
    Path b = write("base", base);
    for (CoreParameterFusion.Config cfg : List.of(CoreParameterFusion.Config.paper(),
        CoreParameterFusion.Config.paper().withGranularity(
            CoreParameterFusion.Granularity.PER_ROW))) {
      ParamSnapshot want = CoreParameterFusion.fuse(base, experts, cores, cfg);
      Path out = dir.resolve("fused.safetensors");
      List<Safetensors.Lazy> ex = new ArrayList<>();
      try (Safetensors.Lazy lb = Safetensors.open(b)) {
        files.forEach(f -> ex.add(Safetensors.open(f)));
        CoreParameterFusion.fuseStreaming(lb, ex, cores, cfg, out);
      } finally {
        ex.forEach(Safetensors.Lazy::close);
      }
      ParamSnapshot got = Safetensors.read(out).params();
      for (Param p : want.params()) {
        assertArrayEquals(p.data(), got.get(p.name()).data(), 0f, cfg.granularity() + " "
            + p.name());
      }
    }
  }
}
