package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cpift.params.Safetensors;
import org.cpift.util.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI as a user runs it: outputs, manifest, exit codes and messages on bad input. */
class CpiftCliTest {
  @TempDir Path dir;

  record Run(int code, String err) {}

  static Run run(String... args) {
    CommandLine cl = Cpift.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, err.toString());
  }

  record Printed(Run run, String out) {}

  /** As {@link #run}, with what the command printed on standard output (captured, not shown). */
  static Printed runPrinting(String... args) {
    java.io.PrintStream stdout = System.out;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      Run r = run(args);
      return new Printed(r, printed.toString(java.nio.charset.StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void estimateSubmitsNothingToSlurm() throws IOException {
    // --estimate computes nothing, whichever executor: no job array is submitted, no cell written
    Path runs = dir.resolve("runs");
    Printed p = runPrinting("reproduce", "--preset", "tiny", "--quick", "--seeds", "1",
        "--experiments", "stage-vs-single", "--executor", "slurm", "--estimate", "--run-dir",
        runs.toString(), "--out", dir.resolve("reports").toString(), "--data-root",
        Path.of("..", "benchmarks-data").toAbsolutePath().normalize().toString());
    assertEquals(0, p.run().code(), p.run().err());
    assertFalse(Files.exists(runs.resolve("slurm")), "a job array was submitted");
    assertFalse(Files.exists(runs.resolve("cells")) && Files.list(runs.resolve("cells"))
        .anyMatch(f -> f.toString().endsWith(".json")), "a cell was computed");
    assertFalse(Files.exists(dir.resolve("reports")), "a report was written");
    assertTrue(p.out().contains("cpi-ft"), "the estimate's table: " + p.out());
  }

  @Test
  void makeSuiteRefusesAnUnknownVersionBeforeWritingAnything() {
    Path out = dir.resolve("suite");
    Run r = run("make-suite", "--version", "3", "--out", out.toString(), "--corpus-out",
        dir.resolve("corpus").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("unknown suite version 3"), r.err());
    assertFalse(Files.exists(out) || Files.exists(dir.resolve("corpus")));
  }

  @Test
  void everyCommandAnswersHelpWithItsUsage() {
    CommandLine root = Cpift.commandLine();
    List<String> names = new java.util.ArrayList<>(root.getSubcommands().keySet());
    assertTrue(names.contains("make-suite") && names.contains("reproduce"), names.toString());
    for (String name : names) {
      CommandLine cl = Cpift.commandLine();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      assertEquals(0, cl.execute(name, "--help"), name + ": " + err);
      assertTrue(out.toString().contains("Usage:"), name + ": " + out + err);
    }
  }

  @Test
  void trainWritesModelTokenizerAndManifest() throws IOException {
    Path data = dir.resolve("rev.jsonl");
    assertEquals(0, run("toy-data", "--task", "reverse", "--n", "300", "--seed", "3",
        "--out", data.toString()).code());
    Path out = dir.resolve("run");
    Run r = run("train", "--preset", "tiny", "--data", data.toString(), "--steps", "40",
        "--seed", "5", "--out", out.toString(), "--context", "32");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
    assertEquals(org.cpift.model.ModelConfig.tiny(101).numParams() - (256 - 32) * 64, Safetensors.read(out.resolve("model.safetensors")).params()
        .numElements());
    JsonNode m = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
    for (String f : new String[] {"seed", "initial_loss", "final_loss", "wall_seconds", "git_commit"}) {
      assertTrue(m.has(f), "manifest lacks " + f);
    }
    assertEquals(5, m.get("seed").asLong());
    assertTrue(m.get("final_loss").asDouble() < m.get("initial_loss").asDouble() - 1.0,
        "loss should fall: " + m.get("initial_loss") + " -> " + m.get("final_loss"));
    assertEquals(41, Files.readAllLines(out.resolve("losses.csv")).size());
    // the same command again finds the finished checkpoint and does no training
    Run again = run("train", "--preset", "tiny", "--data", data.toString(), "--steps", "40",
        "--seed", "5", "--out", out.toString(), "--context", "32");
    assertEquals(0, again.code(), again.err());
    assertEquals(40, Json.MAPPER.readTree(out.resolve("manifest.json").toFile())
        .get("resumed_from_step").asInt());
  }

  @Test
  void badInputGivesAClearMessageAndExitCode2() throws IOException {
    Path out = dir.resolve("o");
    Run missing = run("train", "--data", dir.resolve("none.jsonl").toString(), "--out", out.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().startsWith("error: data file not found"), missing.err());

    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"prompt\":\"a\",\"answer\":\"b\"}\n{\"prompt\":\"a\"}\n");
    Run malformed = run("train", "--data", bad.toString(), "--out", out.toString());
    assertEquals(2, malformed.code());
    assertTrue(malformed.err().contains(bad + ":2: missing field \"answer\""), malformed.err());
    assertFalse(malformed.err().contains("\tat "), "no stack trace for user errors");

    Run preset = run("train", "--preset", "huge", "--data", bad.toString(), "--out", out.toString());
    assertEquals(2, preset.code());
    assertTrue(preset.err().contains("unknown preset 'huge'"), preset.err());

    Run steps = run("train", "--data", bad.toString(), "--out", out.toString(), "--steps", "0");
    assertEquals(2, steps.code());
    assertTrue(steps.err().contains("steps must be >= 1"), steps.err());

    Run warm = run("train", "--data", bad.toString(), "--out", out.toString(), "--steps", "2",
        "--warmup", "50");
    assertEquals(2, warm.code());
    assertTrue(warm.err().contains("--warmup 50 is not below the 2 training steps"), warm.err());

    // lengths are told in full: the special tokens counted, a prompt before truncation
    Path longAnswer = dir.resolve("long-answer.jsonl");
    Files.writeString(longAnswer, "{\"prompt\":\"p\",\"answer\":\"" + "b".repeat(20) + "\"}\n");
    Run context = run("train", "--data", longAnswer.toString(), "--out", out.toString(),
        "--steps", "2", "--context", "8");
    assertEquals(2, context.code());
    assertTrue(context.err().contains("the answer has 20 tokens; with the 3 special tokens "
        + "(<bos>, <sep>, <eos>) it needs a context of at least 22, but the model's context "
        + "holds 8"), context.err());
    Run prompt = run("generate", "--base", Path.of("..", "benchmarks-data", "base", "tiny")
        .toAbsolutePath().normalize().toString(), "--prompt", "a".repeat(300));
    assertEquals(2, prompt.code(), prompt.err());
    assertTrue(prompt.err().startsWith("error: --prompt has 300 tokens (302 with <bos> and "
        + "<sep>); the model's context holds 256"), prompt.err());

    Run option = run("train", "--nope");
    assertEquals(2, option.code());

    // the paper preset is a configuration for a GPU: no base model ships for it
    Run paper = run("run", "main-results", "--preset", "paper", "--seeds", "1", "--out",
        dir.resolve("paper-report").toString());
    assertEquals(2, paper.code(), paper.err());
    assertTrue(paper.err().contains("benchmarks-data/base/paper")
        && paper.err().contains("pretrain --preset"), paper.err());
    assertFalse(Files.exists(dir.resolve("paper-report/report.html")));

    // a report-only pass over a run directory that holds no cells says so (and writes nothing)
    Path typo = dir.resolve("runs-typo");
    Run reportOnly = run("reproduce", "--preset", "tiny", "--report-only", "--run-dir",
        typo.toString(), "--out", dir.resolve("typo-reports").toString());
    assertEquals(2, reportOnly.code(), reportOnly.err());
    assertTrue(reportOnly.err().startsWith("error: --report-only: " + typo + " is not a run "
        + "directory (no cells/ folder)"), reportOnly.err());
    assertFalse(Files.exists(typo), "nothing written");
    Files.createDirectories(typo.resolve("cells"));
    reportOnly = run("reproduce", "--preset", "tiny", "--report-only", "--run-dir",
        typo.toString(), "--out", dir.resolve("typo-reports").toString(), "--data-root",
        Path.of("..", "benchmarks-data").toAbsolutePath().normalize().toString());
    assertEquals(2, reportOnly.code(), reportOnly.err());
    assertTrue(reportOnly.err().contains("--report-only: no experiment has finished cells in "
        + typo), reportOnly.err());

    // an executor's options without it would be ignored: refused
    Run workers = run("reproduce", "--preset", "tiny", "--workers", "3", "--run-dir",
        typo.toString());
    assertEquals(2, workers.code(), workers.err());
    assertTrue(workers.err().startsWith("error: --workers is for --executor local"),
        workers.err());
    Run partition = run("reproduce", "--preset", "tiny", "--executor", "local", "--partition",
        "gpu", "--run-dir", typo.toString());
    assertEquals(2, partition.code(), partition.err());
    assertTrue(partition.err().startsWith("error: --partition is for --executor slurm"),
        partition.err());

    Run osrm = run("run-method", "--method", "osrm", "--preset", "tiny", "--finetune", "lora",
        "--lora-init", "random", "--cache", dir.resolve("m").toString(), "--out",
        dir.resolve("mo").toString());
    assertEquals(2, osrm.code(), osrm.err());
    assertTrue(osrm.err().startsWith("error: --method osrm starts the experts by OSRM, so "
        + "--lora-init random contradicts it"), osrm.err());

    // an output path that cannot take the results is refused before the method runs
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Run outFile = run("run-method", "--method", "multi-task", "--preset", "tiny", "--cache",
        dir.resolve("m").toString(), "--out", file.toString());
    assertEquals(2, outFile.code(), outFile.err());
    assertTrue(outFile.err().startsWith("error: --out " + file + " is a file; give a directory"),
        outFile.err());
    Run exportFile = run("export-hf", "hf:" + Path.of("..", "benchmarks-data", "base",
        "tiny-llama").toAbsolutePath().normalize(), "--out", file.toString());
    assertEquals(2, exportFile.code(), exportFile.err());
    assertTrue(exportFile.err().startsWith("error: --out " + file + " is a file; give a "
        + "directory"), exportFile.err());
    Run outUnder = run("run-method", "--method", "multi-task", "--preset", "tiny", "--cache",
        dir.resolve("m").toString(), "--out", file.resolve("sub").toString());
    assertEquals(2, outUnder.code(), outUnder.err());
    assertTrue(outUnder.err().startsWith("error: --out " + file.resolve("sub")
        + " cannot be written: " + file + " is a file"), outUnder.err());
    // a run refused after that check leaves no folder behind
    Run refused = run("run-method", "--method", "osrm", "--preset", "tiny", "--finetune", "lora",
        "--lora-init", "random", "--cache", dir.resolve("m").toString(), "--out",
        dir.resolve("never").toString());
    assertEquals(2, refused.code(), refused.err());
    assertFalse(Files.exists(dir.resolve("never")));

    Run groups = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--groups", "0",
        "--cache", dir.resolve("m").toString(), "--out", dir.resolve("mo").toString());
    assertEquals(2, groups.code(), groups.err());
    assertTrue(groups.err().startsWith("error: --groups must be >= 1, got 0"), groups.err());
    Run twice = run("reproduce", "--preset", "tiny", "--experiments", "tau-sweep,tau-sweep",
        "--run-dir", typo.toString());
    assertEquals(2, twice.code(), twice.err());
    assertTrue(twice.err().startsWith("error: --experiments names an experiment twice"),
        twice.err());
    Run rank = run("bench", "--lora-rank", "-1");
    assertEquals(2, rank.code(), rank.err());
    assertTrue(rank.err().startsWith("error: --lora-rank must be >= 0"), rank.err());

    // options an ablation typed beside them turns off are refused
    Run noFusion = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--no-fusion",
        "--fusion-anchor", "base", "--cache", dir.resolve("m").toString(), "--out",
        dir.resolve("mo").toString());
    assertEquals(2, noFusion.code(), noFusion.err());
    assertTrue(noFusion.err().startsWith("error: --fusion-anchor sets the fusion, which "
        + "--no-fusion leaves out"), noFusion.err());
    Run eachTask = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--grouping",
        "each-task", "--tau", "0.5", "--cache", dir.resolve("m").toString(), "--out",
        dir.resolve("mo").toString());
    assertEquals(2, eachTask.code(), eachTask.err());
    assertTrue(eachTask.err().startsWith("error: --tau sets the overlap grouping, which "
        + "--grouping each-task replaces"), eachTask.err());
    Run randomCore = run("run-method", "--method", "cpi-ft", "--preset", "tiny",
        "--random-core", "--score", "fisher", "--cache", dir.resolve("m").toString(), "--out",
        dir.resolve("mo").toString());
    assertEquals(2, randomCore.code(), randomCore.err());
    assertTrue(randomCore.err().startsWith("error: --score ranks entries for the core, which "
        + "--random-core draws at random instead"), randomCore.err());

    // an option the chosen anchor does not read is refused, not recorded as if it had been
    Run omega = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--omega", "0.5",
        "--cache", dir.resolve("m").toString(), "--out", dir.resolve("mo").toString());
    assertEquals(2, omega.code(), omega.err());
    assertTrue(omega.err().startsWith("error: --omega weights the interpolation from the base; "
        + "add --fusion-anchor base"), omega.err());
  }

  @Test
  void fineTuningOptionsAreRefusedWithTheirOptionAndRange() {
    // each refused before any training, saying which option and what it takes
    String[][] cases = {
        {"--finetune", "qlora"},
        {"error: --finetune must be full, lora or diff-pruning; got qlora"},
        {"--finetune", "lora", "--lora-rank", "0"}, {"error: LoRA rank (--lora-rank) must be >= 1"},
        {"--finetune", "lora", "--lora-alpha", "-2"},
        {"error: LoRA alpha (--lora-alpha) must be a finite number > 0"},
        {"--finetune", "lora", "--lora-targets", "q_proj"},
        {"error: LoRA targets (--lora-targets) must be some of [w1, w2, wg, wk, wo, wq, wv]"},
        {"--finetune", "lora", "--lora-dropout", "1"},
        {"error: LoRA dropout (--lora-dropout) must be in [0, 1)"},
        {"--lora-rank", "4"}, {"error: --lora-rank, --lora-alpha, --lora-targets"},
        {"--finetune", "diff-pruning", "--diff-sparsity", "0"},
        {"error: diff pruning: the percentage of entries kept (--diff-sparsity) must be in "
            + "(0, 100]; got 0.0"},
        {"--diff-structured"},
        {"error: --diff-sparsity and --diff-structured need --finetune diff-pruning"},
        // a SwiGLU gate on the project's GPT, which has none: refused, not silently dropped
        {"--finetune", "lora", "--lora-targets", "wq,wg", "--expert-steps", "2"},
        {"error: LoRA targets [wg] are no matrix of this model"},
        // diff-pruned experts keeping fewer entries than a |Δ| core takes: padded cores
        {"--method", "cpi-ft", "--finetune", "diff-pruning", "--diff-sparsity", "0.5"},
        {"error: --finetune diff-pruning keeps 0.5% of the entries (--diff-sparsity), fewer "
            + "than the core's 1.0% (--top-p)"},
    };
    for (int i = 0; i < cases.length; i += 2) {
      String data = Path.of("..", "benchmarks-data").toAbsolutePath().normalize().toString();
      List<String> args = new java.util.ArrayList<>(List.of("run-method", "--preset", "tiny",
          "--tasks", "math", "--base", data + "/base/tiny", "--suite", data + "/suite-v1",
          "--cache", dir.resolve("ft-cache").toString(), "--out",
          dir.resolve("ft-" + i).toString()));
      if (!List.of(cases[i]).contains("--method")) {
        args.addAll(List.of("--method", "single-task"));
      }
      args.addAll(List.of(cases[i]));
      Run r = run(args.toArray(String[]::new));
      assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
      assertTrue(r.err().startsWith(cases[i + 1][0]), String.join(" ", cases[i]) + ": " + r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace");
    }
  }

  @Test
  void benchStepPrintsFigures() {
    Printed p = runPrinting("bench", "step", "--preset", "tiny", "--batch-size", "4",
        "--length", "16", "--warmup", "1", "--repeats", "3");
    assertEquals(0, p.run().code(), p.run().err());
    String text = p.out();
    assertTrue(text.contains("ms/step") && text.contains("GFLOP/s") && text.contains("tokens/s"), text);
  }

  @Test
  void benchWritesItsTableAsCsvAndRejectsUnknownSections() throws IOException {
    Path csv = dir.resolve("bench.csv");
    Run bench = runPrinting("bench", "--only", "merge,merge-files", "--merge-sizes", "small",
        "--merge-file-sizes", "small", "--merge-dir", dir.resolve("scratch").toString(),
        "--no-peer", "--repeats", "1", "--csv", csv.toString()).run();
    assertEquals(0, bench.code(), bench.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("benchmark,case,metric,value,unit,note", lines.get(0));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("merge,") && l.contains(",fuse_gb_per_s,")),
        String.join("\n", lines));
    assertTrue(lines.stream().noneMatch(l -> l.contains("peer_")), "--no-peer runs no peer");
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("merge-files,") && l.contains(
        ",peak_bytes_per_param,")), String.join("\n", lines));
    try (var left = Files.list(dir.resolve("scratch"))) {
      assertEquals(0, left.count(), "the scratch models are deleted");
    }

    Run bad = run("bench", "--only", "nope");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("unknown section 'nope'"), bad.err());
  }

  /** Four minutes under load (two seeds of a quick tiny reproduction): in the slow tier. */
  @Test
  @Tag("slow")
  void reproduceKeepsEarlierClaimsAndReportsWhatHasFinished() throws IOException {
    String data = Path.of("..", "benchmarks-data").toAbsolutePath().normalize().toString();
    Path reports = dir.resolve("reports");
    Path runs = dir.resolve("runs");
    Run first = run("reproduce", "--preset", "tiny", "--quick", "--seeds", "1,2", "--experiments",
        "stage-vs-single", "--data-root", data, "--out", reports.toString(), "--run-dir", runs.toString());
    assertEquals(0, first.code(), first.err());
    assertTrue(Files.readString(reports.resolve("claims.json")).contains("stage-vs-single"));
    assertTrue(Files.readString(reports.resolve("claims.md")).contains("| stage-vs-single | all 6 |"),
        Files.readString(reports.resolve("claims.md")));
    // seed by seed (the default order): every seed-1 cell was written before any seed-2 cell
    long lastOfSeed1 = 0;
    long firstOfSeed2 = Long.MAX_VALUE;
    try (var files = Files.list(runs.resolve("cells"))) {
      for (Path f : files.toList()) {
        long seed = org.cpift.util.Json.STRICT.readTree(f.toFile()).get("seed").asLong();
        long t = Files.getLastModifiedTime(f).toMillis();
        if (seed == 1) {
          lastOfSeed1 = Math.max(lastOfSeed1, t);
        } else {
          firstOfSeed2 = Math.min(firstOfSeed2, t);
        }
      }
    }
    assertTrue(lastOfSeed1 <= firstOfSeed2, "a seed-2 cell was computed before a seed-1 cell");
    // status counts them: every stage-vs-single cell finished, none running
    CommandLine cl = Cpift.commandLine();
    StringWriter statusOut = new StringWriter();
    cl.setOut(new PrintWriter(statusOut));
    assertEquals(0, cl.execute("status", runs.toString(), "--preset", "tiny", "--seeds", "1,2",
        "--quick", "--data-root", data));
    assertTrue(statusOut.toString().matches("(?s).*stage-vs-single +6 +6 +0 +0 +\\d+ (s|min)\\n.*"),
        statusOut.toString());
    // and where their time went, per method, from the cells' recorded wall times
    assertTrue(statusOut.toString().matches("(?s).*time went.*\\n  cpi-ft +\\d+ .*"),
        statusOut.toString());
    // a report-only pass over every experiment trains nothing and keeps the earlier claims
    long cells = Files.list(runs.resolve("cells")).count();
    Run all = run("reproduce", "--preset", "tiny", "--quick", "--seeds", "1", "--report-only",
        "--data-root", data, "--out", reports.toString(), "--run-dir", runs.toString());
    assertEquals(0, all.code(), all.err());
    assertEquals(cells, Files.list(runs.resolve("cells")).count());
    assertTrue(Files.readString(reports.resolve("claims.json")).contains("stage-vs-single"));
    assertTrue(Files.isRegularFile(reports.resolve("stage-vs-single/report.html")));
    assertFalse(Files.exists(reports.resolve("low-resource")), "no finished cell, no report");
    // an experiment sharing a finished cell (the experts) gets a partial report
    assertTrue(Files.isRegularFile(reports.resolve("forgetting/report.html")));

    // cpift report re-renders from the finished cells in the formats asked for, training nothing
    Path tex = dir.resolve("tex-reports");
    Run report = run("report", "--from", runs.toString(), "--preset", "tiny", "--quick",
        "--format", "tex,svg", "--data-root", data, "--out", tex.toString());
    assertEquals(0, report.code(), report.err());
    assertEquals(cells, Files.list(runs.resolve("cells")).count());
    Path svs = tex.resolve("stage-vs-single");
    assertTrue(Files.isRegularFile(svs.resolve("table-results.tex")));
    assertTrue(Files.isRegularFile(svs.resolve("fig-scores-by-task.svg")));
    assertTrue(Files.readString(svs.resolve("table-results.tex")).contains("\\toprule"));
    assertFalse(Files.exists(svs.resolve("report.html")), "html was not asked for");
    assertFalse(Files.exists(svs.resolve("results.csv")), "csv was not asked for");
    assertTrue(Files.readString(svs.resolve("manifest.json")).contains("cpift report --from"));
    // the seeds come from the finished cells when not given (here: seeds 1 and 2)
    assertEquals(List.of(1L, 2L), ReportCommand.seedsOf(runs));
    // bad input: one line, exit 2
    Run badFormat = run("report", "--from", runs.toString(), "--preset", "tiny", "--format",
        "html,pdf", "--data-root", data, "--out", tex.toString());
    assertEquals(2, badFormat.code());
    assertTrue(badFormat.err().startsWith("error: --format: unknown format 'pdf'"), badFormat.err());
    assertEquals(1, badFormat.err().strip().lines().count(), badFormat.err());
    Run notRun = run("report", "--from", dir.resolve("nowhere").toString(), "--preset", "tiny");
    assertEquals(2, notRun.code());
    assertTrue(notRun.err().contains("not a run directory"), notRun.err());
    Run noPreset = run("report", "--from", runs.toString(), "--no-quick", "--data-root", data);
    assertEquals(2, noPreset.code());
    assertTrue(noPreset.err().contains("add --preset"), noPreset.err());
    Run wrongQuick = run("report", "--from", runs.toString(), "--preset", "tiny", "--no-quick",
        "--data-root", data, "--out", dir.resolve("none").toString());
    assertEquals(2, wrongQuick.code());
    assertTrue(wrongQuick.err().contains("add --quick"), wrongQuick.err());
  }

  @Test
  void taskVectorsWritesTheirGeometry() throws IOException {
    String data = Path.of("..", "benchmarks-data").toAbsolutePath().normalize().toString();
    Path csv = dir.resolve("tv.csv");
    Run r = runPrinting("task-vectors", "--preset", "tiny", "--seeds", "1", "--tasks",
        "math,code", "--expert-steps", "3", "--base", data + "/base/tiny", "--suite",
        data + "/suite-v1", "--run-dir", dir.resolve("tv-runs").toString(), "--csv",
        csv.toString()).run();
    assertEquals(0, r.code(), r.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("seed,metric,task_a,task_b,value", lines.get(0));
    assertEquals(1 + 2 + 1 + 1, lines.size(), lines.toString()); // 2 norms, 1 pair, 1 shrink
    double cos = Double.parseDouble(lines.get(3).substring(lines.get(3).lastIndexOf(',') + 1));
    assertTrue(lines.get(3).startsWith("1,cosine,math,code,") && cos > -1 && cos < 1, lines.get(3));
  }

  @Test
  void everyHelpFormatsWithoutWarnings() {
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true));
    try {
      CommandLine cl = Cpift.commandLine();
      for (String sub : cl.getSubcommands().keySet()) {
        StringWriter out = new StringWriter();
        cl.getSubcommands().get(sub).usage(new PrintWriter(out));
        assertTrue(out.toString().contains("Usage: cpift " + sub), sub);
      }
    } finally {
      System.setErr(saved);
    }
    assertFalse(captured.toString().contains("picocli WARN"), captured.toString());
  }

  @Test
  void shapesTooLargeAndBadValuesAreRefusedInOptionTermsBeforeAnyWork() throws IOException {
    Path data = dir.resolve("rev.jsonl");
    assertEquals(0, run("toy-data", "--task", "reverse", "--n", "50", "--out", data.toString()).code());
    Path out = dir.resolve("huge");
    Run r = run("train", "--preset", "tiny", "--data", data.toString(), "--out", out.toString(),
        "--context", "1000000000");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("needs about") && r.err().contains("lower the context length"), r.err());
    assertFalse(Files.exists(out), "no output directory is left behind");
    r = run("train", "--preset", "tiny", "--data", data.toString(), "--out", out.toString(),
        "--steps", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --steps must be >= 1, got 0"), r.err());
    assertFalse(r.err().contains("TrainConfig"), r.err());
    // the framework names its settings; the CLI says which option sets them
    r = run("run-method", "--method", "multi-task", "--preset", "tiny", "--expert-steps", "0",
        "--cache", dir.resolve("m").toString(), "--out", dir.resolve("mo").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --expert-steps must be >= 1; got 0"), r.err());
    r = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--replay", "1.5",
        "--cache", dir.resolve("m").toString(), "--out", dir.resolve("mo").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --replay must be in [0, 1]"), r.err());
    r = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--omega-grid", "0.5,1",
        "--cache", dir.resolve("m").toString(), "--out", dir.resolve("mo").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --omega-grid is tried only with the base anchor; add "
        + "--fusion-anchor base"), r.err());
    r = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--fusion-anchor", "base",
        "--omega-grid", "0.5,1.5", "--cache", dir.resolve("m").toString(), "--out",
        dir.resolve("mo").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --omega-grid values must be in (0, 1]; got 1.5"),
        r.err());
    r = run("run-method", "--method", "cpi-ft", "--preset", "tiny", "--fusion-anchor", "base",
        "--omega-grid", "0.5,1", "--omega", "0.5", "--cache", dir.resolve("m").toString(),
        "--out", dir.resolve("mo").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--omega and --omega-grid both give ω"), r.err());
  }

  @Test
  void methodsListsEveryRegisteredMethodWithItsDeclaredOptions() {
    CommandLine cl = Cpift.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("methods"));
    String text = out.toString();
    for (String name : org.cpift.method.Methods.registered().keySet()) {
      assertTrue(text.contains("  " + name + " "), name);
    }
    for (String name : org.cpift.merge.MergeRegistry.names()) {
      assertTrue(text.contains("  " + name + " "), name);
    }
    assertTrue(text.contains("--ties-k      percentage of each task vector's entries kept, by "
        + "magnitude; in (0, 100]; without selection 20; grid 10, 20, 40"), text);
    // every setting a method declares has a run-method option, and the help shows its default
    CommandLine runMethod = cl.getSubcommands().get("run-method");
    for (org.cpift.method.Setting s : org.cpift.method.Setting.values()) {
      String option = MethodOptions.OPTION.get(s);
      assertTrue(option != null && runMethod.getCommandSpec().findOption(option) != null,
          s + " has no run-method option (" + option + ")");
    }
    assertTrue(text.contains("--tau                      grouping threshold τ on core Jaccard "
        + "(default: 0.1)"), text);
    assertTrue(text.contains("  cpi-ft ") && text.contains("--top-p --core-scope"), text);
    // a merge lists the settings it reads: localize-stitch its cores' too
    String stitch = text.substring(text.indexOf("  localize-stitch "));
    assertTrue(stitch.lines().skip(1).findFirst().orElse("").contains("--expert-steps "
        + "--probe-steps --top-p"), stitch);
    // run-method warns of options the method does not read (recorded, changing nothing)
    assertEquals(List.of("--tau"), RunMethodCommand.unread("base",
        java.util.Set.of("--tau", "--eval-limit", "--seed")));
    assertEquals(List.of(), RunMethodCommand.unread("cpi-ft",
        java.util.Set.of("--tau", "--top-p", "--lr", "--omega")));
    assertEquals(java.util.Set.of("--ties-k", "--copa-lambda"), java.util.Set.copyOf(
        RunMethodCommand.unread("task-arithmetic",
            java.util.Set.of("--ties-k", "--lambda", "--copa-lambda"))));
    assertEquals(List.of("--top-p"), RunMethodCommand.unread("ties",
        java.util.Set.of("--ties-k", "--ties-lambda", "--top-p", "--lr")),
        "a merge reads its experts' training settings and its own hyperparameters");
    assertEquals(List.of("--ties-k"), RunMethodCommand.unread("osrm",
        java.util.Set.of("--ties-k", "--lambda")), "osrm reads task arithmetic's λ");
    assertEquals(List.of("--lambda"), RunMethodCommand.unread("wemoe",
        java.util.Set.of("--lambda")));
    assertEquals(List.of(), RunMethodCommand.unread("localize-stitch",
        java.util.Set.of("--top-p", "--core-scope", "--score", "--lr")),
        "Localize-and-Stitch takes core regions");
    assertEquals(List.of("--tau"), RunMethodCommand.unread("localize-stitch",
        java.util.Set.of("--top-p", "--tau")));
  }

  @Test
  void theWarmUpRecordedIsTheOneTheRunHas() {
    org.cpift.train.TrainConfig tiny = org.cpift.train.Preset.TINY.training().withSteps(2);
    assertEquals(20, org.cpift.train.Preset.TINY.training().warmupSteps());
    assertEquals(1, CliChecks.warmup(tiny, null, "--warmup").warmupSteps(),
        "the preset's 20 cut as the schedule cuts it, so the manifest says 1");
    assertEquals(tiny.schedule(), CliChecks.warmup(tiny, null, "--warmup").schedule());
    assertEquals(0, CliChecks.warmup(tiny, 0, "--warmup").warmupSteps());
    assertEquals(20, CliChecks.warmup(tiny.withSteps(300), null, "--warmup").warmupSteps());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CliChecks.warmup(tiny, 2, "--warmup-steps"));
    assertEquals("--warmup-steps 2 is not below the 2 training steps; give fewer warm-up steps",
        e.getMessage());
  }

  @Test
  void sequentialRefusesAStageOrderItDoesNotFollow() {
    for (String order : List.of("random", "by-size", "easy-to-hard")) {
      Path out = dir.resolve("seq-" + order);
      Run r = run("run-method", "--method", "sequential", "--preset", "tiny", "--stage-order",
          order, "--out", out.toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains("--stage-order " + order + ": sequential trains the tasks in "
          + "the suite's order"), r.err());
      assertFalse(Files.exists(out.resolve("manifest.json")), order);
    }
  }

  /**
   * A merge's hyperparameters typed on the command line turn off the selection on validation of
   * the method that reads them, and only of it: an option the method does not read (and is
   * warned of) changes nothing.
   */
  @Test
  void onlyTheMethodsOwnMergeValuesTurnItsSelectionOff() {
    String[][] cases = {
        // method, typed option, value, whether selection on validation stays on
        {"task-arithmetic", "--ties-k", "30", "true"},
        {"task-arithmetic", "--copa-lambda", "2", "true"},
        {"task-arithmetic", "--lambda", "0.5", "false"},
        {"ties", "--lambda", "0.5", "true"},
        {"ties", "--ties-k", "30", "false"},
        {"dare-ta", "--lambda", "0.5", "false"},
        {"copa", "--ties-k", "30", "false"},
        {"osrm", "--ties-k", "30", "true"},
        {"osrm", "--lambda", "0.5", "false"},
        {"wemoe", "--lambda", "0.5", "true"},
        {"cpi-ft", "--lambda", "0.5", "true"},
    };
    org.cpift.method.MethodConfig defaults = org.cpift.method.MethodConfig.defaults(
        org.cpift.train.Preset.TINY);
    assertTrue(defaults.merge().selectOnValidation());
    for (String[] c : cases) {
      RunMethodCommand cmd = new RunMethodCommand();
      new CommandLine(cmd).parseArgs("--method", c[0], c[1], c[2], "--out", "x");
      org.cpift.method.MethodConfig cfg = cmd.options.apply(defaults, c[0]);
      assertEquals(Boolean.parseBoolean(c[3]), cfg.merge().selectOnValidation(),
          String.join(" ", c));
      boolean read = MethodOptions.mergeOptionsRead(c[0]).contains(c[1]);
      assertEquals(!read, RunMethodCommand.unread(c[0], java.util.Set.of(c[1])).contains(c[1]),
          "warned of exactly when not read: " + String.join(" ", c));
    }
    // the value is still set (recorded in the manifest) when it is not read
    RunMethodCommand cmd = new RunMethodCommand();
    new CommandLine(cmd).parseArgs("--method", "task-arithmetic", "--ties-k", "30", "--out",
        "x");
    assertEquals(30.0, cmd.options.apply(defaults, "task-arithmetic").merge().tiesTopPercent());
  }
}
