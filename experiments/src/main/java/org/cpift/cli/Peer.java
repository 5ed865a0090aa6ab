package org.cpift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cpift.model.ModelConfig;
import org.cpift.model.ParameterLayout;
import org.cpift.params.Param;
import org.cpift.util.Json;

/**
 * Runs the Python peers of the benchmarks (benchmarks/peer/) with Debian's interpreter. Installs
 * nothing: when a peer cannot run it says why (and the apt command) and the row is skipped.
 */
final class Peer {
  static final Path DIR = Path.of("benchmarks", "peer");
  static final String PYTHON = "/usr/bin/python3";
  static final String APT = "apt-get install python3-torch libopenblas0-pthread";

  private Peer() {}

  /** Median ms/step of the PyTorch training step, or null (with a message) when it cannot run. */
  static Double step(ModelConfig c, int batch, int t, int warmup, int repeats) {
    JsonNode r = run("gpt_step.py", List.of("--d", "" + c.dModel(), "--layers", "" + c.nLayers(),
        "--heads", "" + c.nHeads(), "--ctx", "" + t, "--batch", "" + batch, "--vocab",
        "" + c.vocabSize(), "--warmup", "" + warmup, "--repeats", "" + repeats, "--threads",
        "" + Runtime.getRuntime().availableProcessors()), null);
    return r == null ? null : r.get("median_ms").asDouble();
  }

  /**
   * Median seconds of the numpy merging steps ({@code select_s}, {@code jaccard_s},
   * {@code fuse_s}) on the layout of {@code c}, or null when the peer cannot run.
   */
  static JsonNode merge(ModelConfig c, int models, double topPercent, int warmup, int repeats) {
    List<Object> tensors = new ArrayList<>();
    // the paper's setting: every parameter is eligible for the core region
    ParameterLayout.of(c).forEach((name, shape) -> tensors.add(List.of(name,
        Param.numElements(shape), true)));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("tensors", tensors);
    spec.put("models", models);
    spec.put("top_percent", topPercent);
    spec.put("warmup", warmup);
    spec.put("repeats", repeats);
    return run("merge_numpy.py", List.of(), Json.write(spec));
  }

  private static JsonNode run(String script, List<String> args, String stdin) {
    Path file = DIR.resolve(script);
    if (!Files.isRegularFile(file) || !Files.isExecutable(Path.of(PYTHON))) {
      System.out.println("peer " + script + " skipped: needs " + file + " and " + PYTHON);
      return null;
    }
    List<String> cmd = new ArrayList<>(List.of(PYTHON, file.toString()));
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        if (out.contains("No module named")) {
          System.out.println("peer " + script + " skipped: install it with '" + APT + "'");
        } else {
          System.out.println("peer " + script + " failed: " + out.strip());
        }
        return null;
      }
      String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
      return Json.STRICT.readTree(last);
    } catch (IOException e) {
      System.out.println("peer " + script + " skipped: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
