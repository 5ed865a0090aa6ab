package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run-method} as written in the issue, shortened to seconds with its budget options. */
class RunMethodCommandTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path dir;

  String[] args(String method, Path out, String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of("run-method", "--method", method,
        "--preset", "tiny", "--seed", "3", "--out", out.toString(),
        "--base", ROOT.resolve("benchmarks-data/base/tiny").toString(),
        "--suite", ROOT.resolve("benchmarks-data/suite-v1").toString(),
        "--cache", dir.resolve("cache").toString(), "--tasks", "math,code,dialogue",
        "--expert-steps", "3", "--pipeline-steps", "2", "--stage-samples", "8", "--eval-limit", "2"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void cpiFtWritesScoresJaccardAndGroups() throws IOException {
    Path out = dir.resolve("cpift");
    var r = CpiftCliTest.run(args("cpi-ft", out));
    assertEquals(0, r.code(), r.err());
    List<String> scores = Files.readAllLines(out.resolve("scores.csv"));
    assertEquals("method,task,seed,metric,value", scores.get(0));
    assertTrue(scores.stream().anyMatch(l -> l.startsWith("cpi-ft,math,3,score,")), scores.toString());
    assertEquals(1 + 3 * 2, scores.size());
    List<String> jac = Files.readAllLines(out.resolve("jaccard.csv"));
    assertEquals("task,math,code,dialogue", jac.get(0));
    assertTrue(jac.get(1).startsWith("math,1.0"), jac.get(1));
    var groups = Json.MAPPER.readTree(out.resolve("groups.json").toFile()).get("stages");
    int n = 0;
    for (var g : groups) {
      n += g.size();
    }
    assertEquals(3, n);
    assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
  }

  @Test
  void ablationSwitchesAndBaselinesRun() throws IOException {
    for (String[] run : new String[][] {
        {"dpi", "--grouping", "each-task", "--no-freeze", "--score", "relative-delta"},
        {"cpi-ft", "--no-transplant", "--interpolation", "linear", "--random-core", "--tau", "0.5",
            "--linkage", "average", "--stage-order", "by-size",
            "--core-scope", "per-layer", "--overlap", "average", "--stage-data", "all-tasks"},
        {"ties", "--ties-k", "50"}, {"multi-stage-heuristic"}, {"base"}}) {
      Path out = dir.resolve(run[0] + run.length);
      String[] extra = java.util.Arrays.copyOfRange(run, 1, run.length);
      var r = CpiftCliTest.run(args(run[0], out, extra));
      assertEquals(0, r.code(), String.join(" ", run) + ": " + r.err());
      assertTrue(Files.readString(out.resolve("scores.csv")).contains(run[0] + ",dialogue,3,score,"));
    }
  }

  @Test
  void badOptionValuesAreClearErrors() {
    var r = CpiftCliTest.run(args("cpi-ft", dir.resolve("x"), "--linkage", "ward"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--linkage: unknown value 'ward'; use one of single, average, complete"),
        r.err());
    var m = CpiftCliTest.run(args("nope", dir.resolve("y")));
    assertEquals(2, m.code());
    assertTrue(m.err().contains("unknown method 'nope'"), m.err());
    var t = CpiftCliTest.run(args("base", dir.resolve("z"), "--tasks", "math,poetry"));
    assertEquals(2, t.code());
    assertTrue(t.err().contains("no task 'poetry'"), t.err());
  }
}
