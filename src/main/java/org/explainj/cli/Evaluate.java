package org.explainj.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.image.IntensityScaling;
import org.explainj.job.EvaluationReport;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ResultFiles;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.InputBatch;
import org.explainj.metrics.BaselineAttributions;
import org.explainj.metrics.Continuity;
import org.explainj.metrics.MethodComparison;
import org.explainj.metrics.Selectivity;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;

import ij.ImagePlus;

/** bin/explainj evaluate: compares methods on a set of images by selectivity and continuity. */
final class Evaluate {

	static final String DEFAULT_METHODS = "sensitivity,gradient-x-input,deep-taylor,lrp-epsilon,integrated-gradients," +
		"grad-cam,random,edges";

	private Evaluate() {}

	static void run(Arguments a, PrintStream out) {
		try (ModelCache.Lease lease = ModelCache.shared().acquire(Path.of(a.required("model")), a.flag("trust-model"))) {
			compare(lease.model(), a, out);
		}
	}

	private static void compare(ClassifierModel model, Arguments a, PrintStream out) {
		if (!model.auditFindings().isEmpty()) out.println(ModelAudit.trustNote(model));
		List<ImagePlus> images = new ArrayList<>();
		for (Path p : imageFiles(a.required("images"))) images.add(Main.openImage(p));
		InputBatch batch = EvaluationReport.batch(images, model, IntensityScaling.parse(a.get("scale", "unit")));
		List<AttributionMethod> methods = Arrays.stream(a.get("methods", DEFAULT_METHODS).split(",")).map(String::trim)
			.filter(s -> !s.isEmpty()).map(BaselineAttributions::byName).toList();
		String metric = a.get("metric", "all");
		if (!List.of("selectivity", "continuity", "all").contains(metric)) throw new ExplainException("Unknown metric '" +
			metric + "'.", "Use selectivity, continuity or all.");
		Selectivity.Settings selectivity = new Selectivity.Settings(a.integer("window", Selectivity.Settings.defaultWindow(
			batch.height(), batch.width())), a.integer("steps", 20), a.get("fill", "zeros"), 0);
		Continuity.Settings continuity = metric.equals("selectivity") ? null : new Continuity.Settings(a.integer(
			"continuity-steps", 10), a.get("continuity-mode", "translate"), 0.01, 0);
		List<MethodComparison.Score> scores = MethodComparison.run(model, batch, methods, selectivity, continuity, a
			.integer("batch-size", ExplainOptions.DEFAULT_BATCH_SIZE));
		Path dir = Path.of(a.required("out"));
		EvaluationReport.writeCsv(scores, dir.resolve("comparison.csv"));
		ResultFiles.savePng(EvaluationReport.plot(scores, "Selectivity").getProcessor(), dir.resolve("selectivity.png"));
		if (continuity != null) ResultFiles.savePng(EvaluationReport.continuityPlot(scores, "Continuity").getProcessor(), dir
			.resolve("continuity.png"));
		out.printf(Locale.ROOT, "%d images, %dx%d windows, %d steps, fill %s%n", batch.n(), selectivity.window(),
			selectivity.window(), selectivity.steps(), selectivity.fill());
		out.println("rank  method                  AUC      AOPC   continuity  s/image");
		for (int i = 0; i < scores.size(); i++) {
			MethodComparison.Score s = scores.get(i);
			out.printf(Locale.ROOT, "%4d  %-20s %7.4f %9.4f %12.4f %8.4f%n", i + 1, s.method(), s.auc(), s.aopc(), s
				.continuity(), s.secondsPerImage());
		}
		out.println("wrote " + dir.resolve("comparison.csv") + ", " + dir.resolve("selectivity.png") + (continuity != null
			? " and " + dir.resolve("continuity.png") : ""));
	}

	/** A folder's images (sorted), or a comma-separated list of files. */
	private static List<Path> imageFiles(String spec) {
		Path dir = Path.of(spec);
		if (Files.isDirectory(dir)) {
			try (Stream<Path> files = Files.list(dir)) {
				List<Path> list = files.filter(p -> p.getFileName().toString().matches("(?i).*\\.(png|tif|tiff|jpg|jpeg)"))
					.sorted().toList();
				if (list.isEmpty()) throw new ExplainException("The folder " + dir + " holds no images.",
					"Give a folder of PNG/TIFF/JPEG images or a list of files.");
				return list;
			}
			catch (IOException e) {
				throw new ExplainException("Cannot list " + dir + ": " + e.getMessage(), "Check the folder.", e);
			}
		}
		return Arrays.stream(spec.split(",")).map(String::trim).map(Path::of).toList();
	}
}
