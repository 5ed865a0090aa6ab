package org.cpift.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The framework's packages depend one way, in the order data flows: a new back edge or cycle
 * fails here. Lower layers never import higher ones (the optimizers know nothing of methods; the
 * methods write no report files).
 */
class LayersTest {
  static final JavaClasses FRAMEWORK = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.cpift");

  @Test
  void packagesDependOneWay() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("util").definedBy("org.cpift.util..")
        .layer("data").definedBy("org.cpift.data..")
        .layer("task").definedBy("org.cpift.task..")
        .layer("model").definedBy("org.cpift.model..")
        .layer("optim").definedBy("org.cpift.optim..")
        .layer("params").definedBy("org.cpift.params..")
        .layer("train").definedBy("org.cpift.train..")
        .layer("core").definedBy("org.cpift.core..")
        .layer("cluster").definedBy("org.cpift.cluster..")
        .layer("merge").definedBy("org.cpift.merge..")
        .layer("method").definedBy("org.cpift.method..")
        .layer("testbed").definedBy("org.cpift.testbed..")
        .layer("experiment").definedBy("org.cpift.experiment..")
        .layer("bench").definedBy("org.cpift.bench..")
        .layer("report").definedBy("org.cpift.report..")
        .whereLayer("report").mayNotBeAccessedByAnyLayer()
        .whereLayer("bench").mayNotBeAccessedByAnyLayer()
        .whereLayer("experiment").mayOnlyBeAccessedByLayers("report")
        .whereLayer("testbed").mayOnlyBeAccessedByLayers("report")
        .whereLayer("method").mayOnlyBeAccessedByLayers("testbed", "experiment", "report")
        .whereLayer("merge").mayOnlyBeAccessedByLayers("method", "testbed", "bench", "report")
        .whereLayer("cluster").mayOnlyBeAccessedByLayers("method", "report")
        .whereLayer("core").mayOnlyBeAccessedByLayers("merge", "method", "testbed", "bench")
        .whereLayer("train").mayOnlyBeAccessedByLayers("core", "method", "testbed", "experiment",
            "bench", "report")
        .whereLayer("optim").mayOnlyBeAccessedByLayers("train", "method", "bench")
        .whereLayer("model").mayOnlyBeAccessedByLayers("optim", "train", "core", "method",
            "bench")
        .whereLayer("task").mayOnlyBeAccessedByLayers("method", "testbed", "experiment", "bench",
            "train")
        .check(FRAMEWORK);
  }

  @Test
  void noCyclesBetweenPackages() {
    slices().matching("org.cpift.(*)..").should().beFreeOfCycles().check(FRAMEWORK);
  }
}
