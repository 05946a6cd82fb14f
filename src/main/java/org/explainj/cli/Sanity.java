package org.explainj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.explainj.job.ExplainOptions;
import org.explainj.job.ResultFiles;
import org.explainj.job.SanityReport;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.InputBatch;
import org.explainj.metrics.BaselineAttributions;
import org.explainj.metrics.SanityCheck;
import org.explainj.model.ClassifierModel;

import ij.ImagePlus;

/** bin/explainj sanity: the model-randomisation check of a set of methods on a set of images. */
final class Sanity {

	static final String DEFAULT_METHODS = "gradient,grad-cam,guided-backprop,lrp-epsilon,integrated-gradients";

	static final Set<String> OPTIONS = Set.of("model", "images", "methods", "out", "seed", "scale", "batch-size", "trust-model");

	private Sanity() {}

	static void run(Arguments a, PrintStream out, PrintStream err) {
		Evaluate.overImages(a, out, err, List.of("sanity.csv", "sanity.png", "sanity-montage.png"), (model, images, batch,
			dir) -> check(model, images, batch, dir, a, out));
	}

	private static void check(ClassifierModel model, List<ImagePlus> images, InputBatch batch, Path dir, Arguments a,
		PrintStream out)
	{
		List<AttributionMethod> methods = BaselineAttributions.list(a.get("methods", DEFAULT_METHODS));
		SanityCheck.Report report = SanityCheck.run(model, batch, methods, a.integer("seed", 0), a.integer("batch-size",
			ExplainOptions.DEFAULT_BATCH_SIZE));
		SanityReport.writeCsv(report, dir.resolve("sanity.csv"));
		Evaluate.savePlot(SanityReport.plot(report, "Model randomisation"), dir.resolve("sanity.png"));
		ResultFiles.savePng(SanityReport.montage(report, images.get(0).getProcessor()), dir.resolve("sanity-montage.png"));
		out.printf(Locale.ROOT, "%d images; layers randomised from the logits down: %s%n", batch.n(), String.join(", ",
			report.layers()));
		out.println("method                 layer                mode          spearman    ssim   top10");
		for (SanityCheck.MethodResult m : report.methods()) {
			for (SanityCheck.Row r : m.rows()) out.printf(Locale.ROOT, "%-22s %-20s %-12s %9.3f %7.3f %7.3f%n", r.method(), r
				.layer(), r.mode(), r.spearman(), r.ssim(), r.top10());
			if (m.modelIndependent()) out.println(m.method() + ": " + SanityReport.IGNORES_MODEL + " (rank correlation " +
				"above " + SanityCheck.MODEL_INDEPENDENT + " with every layer randomised)");
		}
		out.println("wrote " + dir.resolve("sanity.csv") + ", " + dir.resolve("sanity.png") + ", " + dir.resolve(
			"sanity-montage.png"));
	}
}
