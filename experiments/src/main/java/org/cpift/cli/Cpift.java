package org.cpift.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.cpift.util.CpiftException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cpift} command line: one subcommand per job. */
@Command(name = "cpift", mixinStandardHelpOptions = true, version = "cpift 0.1.0",
    description = "Core Parameter Isolation Fine-Tuning (arXiv 2508.21741) on TensorFlow Java.",
    subcommands = {TrainCommand.class, BenchCommand.class, ToyDataCommand.class,
        MakeSuiteCommand.class, PretrainCommand.class, RunMethodCommand.class,
        RunExperimentCommand.class, ReproduceCommand.class, ReportCommand.class,
        TaskVectorsCommand.class, TestbedCheckCommand.class, MethodsCommand.class,
        RunCellCommand.class, StatusCommand.class, GenerateCommand.class, ExportHfCommand.class,
        CommandLine.HelpCommand.class})
public final class Cpift implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Builds the command line with the project's error handling: user errors exit 2, bugs 1. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Cpift());
    // `bench --only step`: a section named like the bench's `step` subcommand is still a value
    cl.setAllowSubcommandsAsOptionParameters(true);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      boolean user = ex instanceof CpiftException || ex instanceof IllegalArgumentException;
      if (user && ex.getMessage() != null && !ex.getMessage().isBlank()) {
        err.println("error: " + inOptionTerms(ex.getMessage()));
        err.flush();
        return 2;
      }
      if (ex instanceof UncheckedIOException io) {
        // an unwritable --out, a full disk, a file that cannot be read
        IOException cause = io.getCause();
        err.println("error: " + (io.getMessage() != null ? io.getMessage()
            : "file access failed: " + cause) + " (" + cause.getClass().getSimpleName()
            + "); check that the path exists, is writable, and the disk has room");
        err.flush();
        return 2;
      }
      err.println("internal error: " + ex);
      ex.printStackTrace(err);
      err.flush();
      return 1;
    });
    return cl;
  }

  /** The options the configuration records' fields are set by, for messages. */
  private static final java.util.Map<String, String> OPTION_OF = java.util.Map.ofEntries(
      java.util.Map.entry("steps", "--steps"), java.util.Map.entry("batchSize", "--batch-size"),
      java.util.Map.entry("lr", "--lr"), java.util.Map.entry("warmupSteps", "--warmup"),
      java.util.Map.entry("evalEvery", "--eval-every"),
      java.util.Map.entry("checkpointEvery", "--checkpoint-every"),
      java.util.Map.entry("weightDecay", "--weight-decay"),
      java.util.Map.entry("clipNorm", "--clip-norm"),
      java.util.Map.entry("contextLength", "--context"), java.util.Map.entry("tau", "--tau"),
      java.util.Map.entry("fixedGroups", "--groups"), java.util.Map.entry("topPercent", "--top-p"),
      java.util.Map.entry("linkage", "--linkage"),
      java.util.Map.entry("expertSteps", "--expert-steps"),
      java.util.Map.entry("probeSteps", "--probe-steps"),
      java.util.Map.entry("pipelineSteps", "--pipeline-steps"),
      java.util.Map.entry("stageSamples", "--stage-samples"),
      java.util.Map.entry("multiStageK", "--multi-stage-k"),
      java.util.Map.entry("replayFraction", "--replay"),
      java.util.Map.entry("evalLimit", "--eval-limit"), java.util.Map.entry("omega", "--omega"),
      java.util.Map.entry("omegaGrid", "--omega-grid"),
      java.util.Map.entry("colinear", "--colinear"),
      java.util.Map.entry("anchor", "--fusion-anchor"),
      java.util.Map.entry("explicitOrder", "--stage-order-tasks"),
      java.util.Map.entry("formats", "--format"));

  /**
   * A configuration record's message ("TrainConfig: steps must be >= 1, got 0") in the terms the
   * user typed ("--steps must be >= 1, got 0").
   */
  static String inOptionTerms(String message) {
    if (message != null && message.contains("(expected a model directory as training or "
        + "pretraining writes it")) {
      return message + "; ./cpift pretrain --preset P --out DIR makes one, or give --base with a "
          + "model directory or hf:DIR";
    }
    var m = java.util.regex.Pattern.compile("^(?:TrainConfig|OptimizerConfig|ModelConfig"
        + "|GroupingConfig|CoreConfig|MethodConfig|CoreParameterFusion|StageOrdering|ReportFormat): "
        + "(\\w+)(.*)$", java.util.regex.Pattern.DOTALL)
        .matcher(message);
    if (!m.matches()) {
      return message;
    }
    String option = OPTION_OF.get(m.group(1));
    return (option != null ? option : "the setting " + m.group(1)) + m.group(2);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
