package org.cpift.cli;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.cpift.merge.MergeMethod;
import org.cpift.merge.MergeOptions;
import org.cpift.merge.MergeParam;
import org.cpift.merge.MergeRegistry;
import org.cpift.method.MethodConfig;
import org.cpift.method.Methods;
import org.cpift.method.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cpift methods}: every method {@code --method} accepts, from the registries: training
 * methods with what they are, merge methods with their source and the hyperparameters they
 * declare (option, valid range, value without selection, the validation grid).
 */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List the methods --method accepts: training methods, and merge methods with "
        + "their paper and declared hyperparameters (option, range, default, validation grid).")
final class MethodsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  PresetOption presetOption = new PresetOption("small");

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    MethodConfig config = MethodConfig.defaults(presetOption.get());
    out.println("Training methods, and the options of the settings each reads:");
    Set<Setting> used = EnumSet.noneOf(Setting.class);
    Methods.registered().values().forEach(e -> {
      out.printf("  %-22s %s%n", e.name(), e.description());
      out.printf("  %-22s   %s%n", "", e.settings().stream().map(MethodOptions.OPTION::get)
          .collect(Collectors.joining(" ")));
      used.addAll(e.settings());
    });
    out.println();
    out.printf("Settings (default: the %s preset's value):%n", presetOption.get().id());
    for (Setting s : used) {
      String option = MethodOptions.OPTION.get(s);
      out.printf("  %-26s %s%s (default: %s)%n", option, option.startsWith("--no-")
          ? "turns off: " : "", s.help(), s.valueIn(config));
    }
    out.println();
    out.println("Merge methods (the experts merged post hoc; hyperparameters chosen on validation "
        + "from the grid unless one of the method's own is given), the settings each reads, and "
        + "its hyperparameters:");
    MergeOptions defaults = MergeOptions.defaults();
    for (String name : MergeRegistry.names()) {
      MergeMethod m = MergeRegistry.create(name, defaults);
      out.printf("  %-22s %s%n", name, m.reference());
      // the settings it reads: its experts' training and scoring (and cores, if it takes them)
      out.printf("  %-22s   %s%n", "", org.cpift.method.Setting.merge(name).stream()
          .map(MethodOptions.OPTION::get).collect(Collectors.joining(" ")));
      List<MergeOptions> grid = MergeRegistry.grid(name, defaults);
      for (MergeParam p : MergeRegistry.params(name)) {
        String values = grid.stream().map(o -> o.get(p)).collect(Collectors.toCollection(
            TreeSet::new)).stream().map(MethodsCommand::fmt).collect(Collectors.joining(", "));
        out.printf("  %-22s   %-13s %s; in %s; without selection %s; grid %s%n", "", p.option(),
            p.help(), p.range(), fmt(defaults.get(p)), values);
      }
    }
    out.flush();
    return 0;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
  }
}
