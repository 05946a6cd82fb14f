package org.explainj.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

import org.explainj.ExplainException;
import org.explainj.job.InputFiles;
import org.explainj.job.ResultFiles;
import org.explainj.maximize.ActivationMaximizer;
import org.explainj.maximize.MaximizeOptions;
import org.explainj.maximize.PrototypeImages;
import org.explainj.maximize.Prototypes;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;

/**
 * {@code bin/explainj maximize}: class prototypes by activation maximisation, written as a 32-bit TIFF
 * stack (one slice per target, the model's input geometry, raw values) and FILE_objective.csv.
 */
final class Maximize {

	static final Set<String> OPTIONS = Set.of("model", "target", "generator", "steps", "lambda", "lr", "seed", "jitter",
		"tv", "blur", "low", "high", "out", "trust-model");

	private Maximize() {}

	static void run(Arguments a, PrintStream out) {
		Path outFile = Path.of(a.required("out"));
		if (!outFile.getFileName().toString().matches("(?i).*\\.tiff?")) throw new ExplainException(
			"--out " + outFile + " is not a .tif file.", "Name the output FILE.tif.");
		String generator = a.get("generator", null);
		MaximizeOptions options = MaximizeOptions.defaults().withSteps(a.integer("steps", MaximizeOptions.DEFAULT_STEPS))
			.withLambda(number(a, "lambda", MaximizeOptions.DEFAULT_LAMBDA)).withLearningRate(number(a, "lr",
				MaximizeOptions.DEFAULT_LEARNING_RATE)).withSeed(a.integer("seed", 0)).withJitter(a.integer("jitter", 0))
			.withTv(number(a, "tv", 0)).withBlurEvery(a.integer("blur", 0)).withRange(number(a, "low", 0), number(a, "high",
				1)).withGenerator(generator == null ? null : Path.of(generator)).withTrustedGenerator(a.flag("trust-model"));
		options.check();
		Path model = Path.of(a.required("model"));
		String name = outFile.getFileName().toString().replaceFirst("(?i)\\.tiff?$", "");
		Path csv = outFile.resolveSibling(name + "_objective.csv");
		InputFiles inputs = new InputFiles().model(model).model(options.generator());
		inputs.refuse("--out", outFile);
		inputs.refuse("The objective table", csv);
		ClassifierModel classifier;
		Prototypes p;
		try (ModelCache.Lease lease = ModelCache.shared().acquire(model, a.flag("trust-model"))) {
			classifier = lease.model();
			p = ActivationMaximizer.maximize(classifier, a.required("target"), options);
		}
		if (!classifier.auditFindings().isEmpty()) out.println(ModelAudit.trustNote(classifier));
		ResultFiles.saveTiff(PrototypeImages.stack(p, name), outFile);
		ResultFiles.saveText(PrototypeImages.csv(p), csv);
		out.println((generator == null ? "input space" : "code space of " + generator) + ", " + options.steps() +
			" steps:");
		for (int i = 0; i < p.size(); i++) {
			out.println("  " + p.label(i) + (p.classes()[i] >= 0 && p.predicted(i) != p.classes()[i] ? " (predicted " + classifier
				.className(p.predicted(i)) + ")" : ""));
		}
		out.println("wrote " + outFile + " and " + csv);
	}

	private static float number(Arguments a, String key, float fallback) {
		String v = a.get(key, null);
		if (v == null) return fallback;
		try {
			return Float.parseFloat(v.trim());
		}
		catch (NumberFormatException e) {
			throw new ExplainException("--" + key + " must be a number, not '" + v + "'.", "For example --" + key + " " +
				fallback + ".");
		}
	}
}
