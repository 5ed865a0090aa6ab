package org.cpift.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cpift.model.ModelConfig;
import org.cpift.util.Json;

/** Runs the PyTorch peer of the training step; installs nothing, says how when it is missing. */
final class PeerStep {
  static final Path SCRIPT = Path.of("benchmarks", "peer", "gpt_step.py");
  static final String PYTHON = "/usr/bin/python3";

  private PeerStep() {}

  /** Median ms/step of the peer, or null (with a message) when it cannot run. */
  static Double run(ModelConfig c, int batch, int t, int warmup, int repeats) {
    if (!Files.isRegularFile(SCRIPT) || !Files.isExecutable(Path.of(PYTHON))) {
      System.out.println("PyTorch peer skipped: needs " + SCRIPT + " and " + PYTHON);
      return null;
    }
    List<String> cmd = List.of(PYTHON, SCRIPT.toString(), "--d", "" + c.dModel(), "--layers",
        "" + c.nLayers(), "--heads", "" + c.nHeads(), "--ctx", "" + t, "--batch", "" + batch,
        "--vocab", "" + c.vocabSize(), "--warmup", "" + warmup, "--repeats", "" + repeats,
        "--threads", "" + Runtime.getRuntime().availableProcessors());
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        if (out.contains("No module named 'torch'")) {
          System.out.println("PyTorch peer skipped: install it with "
              + "'apt-get install python3-torch libopenblas0-pthread'");
        } else {
          System.out.println("PyTorch peer failed: " + out.strip());
        }
        return null;
      }
      String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
      return Json.MAPPER.readTree(last).get("median_ms").asDouble();
    } catch (IOException e) {
      System.out.println("PyTorch peer skipped: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
