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
import org.explainj.image.Geometry;
import org.explainj.job.EvaluationReport;
import org.explainj.job.ExplainOptions;
import org.explainj.job.InputFiles;
import org.explainj.job.ResultFiles;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.InputBatch;
import org.explainj.metrics.BaselineAttributions;
import org.explainj.metrics.Continuity;
import org.explainj.metrics.Insertion;
import org.explainj.metrics.MethodComparison;
import org.explainj.metrics.MuFidelity;
import org.explainj.metrics.Selectivity;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;

import ij.ImagePlus;

/** bin/explainj evaluate: compares methods on a set of images by selectivity, continuity, insertion and MuFidelity. */
final class Evaluate {

	static final String DEFAULT_METHODS = "sensitivity,gradient-x-input,deep-taylor,lrp-epsilon,integrated-gradients," +
		"grad-cam,random,edges";

	static final List<String> METRICS = List.of("selectivity", "continuity", "insertion", "mufidelity", "all");

	/** The options of bin/explainj evaluate. */
	static final java.util.Set<String> OPTIONS = java.util.Set.of("model", "images", "methods", "metric", "window",
		"steps", "fill", "scale", "batch-size", "continuity-steps", "continuity-mode", "out", "insertion-steps",
		"insertion-baseline", "subsets", "subset-probability", "seed", "trust-model", "geometry", "roi", "rois");

	private static final List<String> OUTPUTS = List.of("comparison.csv", "selectivity.png", "continuity.png",
		"insertion.png");

	private Evaluate() {}

	static void run(Arguments a, PrintStream out, PrintStream err) {
		overImages(a, out, err, OUTPUTS, (model, images, batch, dir) -> compare(model, batch, dir, a, out));
	}

	/** What evaluate and sanity do once the model is held and the images are one batch. */
	interface ImageSetRun {
		void run(ClassifierModel model, List<ImagePlus> images, InputBatch batch, Path dir);
	}

	/**
	 * The frame of a command over a set of images (--model, --images, --out, --scale, --trust-model):
	 * outputs that would replace an input are refused first, the model is held for the run, the trust
	 * note printed, and the images brought to the model as one batch, with notes on how (to {@code err}, as
	 * explain prints its notes).
	 */
	static void overImages(Arguments a, PrintStream out, PrintStream err, List<String> outputs, ImageSetRun body) {
		Path modelPath = Path.of(a.required("model"));
		List<Path> imageFiles = imageFiles(a.required("images"));
		Path dir = Path.of(a.required("out"));
		refuseOverwrite(modelPath, imageFiles, dir, outputs);
		try (ModelCache.Lease lease = ModelCache.shared().acquire(modelPath, a.flag("trust-model"))) {
			ClassifierModel model = lease.model();
			if (!model.auditFindings().isEmpty()) out.println(ModelAudit.trustNote(model));
			List<ImagePlus> images = new ArrayList<>();
			for (Path p : imageFiles) images.add(Main.openImage(p));
			// evaluate knows --geometry fit|roi (its --window is the perturbation window, not a tile's)
			List<ij.gui.Roi> rois = a.knows("geometry") ? CliGeometry.rois(a) : List.of();
			Geometry geometry = a.knows("geometry") ? new Geometry(CliGeometry.kind(Geometry.parse(a.get("geometry", "auto")),
				rois), 0, 0, rois) : Geometry.AUTO;
			EvaluationReport.Inputs inputs = EvaluationReport.batch(images, model, ExplainOptions.parseScaling(a.get("scale",
				null)), geometry);
			inputs.notes().forEach(note -> err.println("explainj: note: " + note));
			body.run(model, images, inputs.batch(), dir);
		}
	}

	private static void compare(ClassifierModel model, InputBatch batch, Path dir, Arguments a, PrintStream out) {
		List<AttributionMethod> methods = BaselineAttributions.list(a.get("methods", DEFAULT_METHODS));
		String metric = a.get("metric", "all");
		if (!METRICS.contains(metric)) throw new ExplainException("Unknown metric '" + metric + "'.", "Use one of " +
			METRICS + ".");
		boolean all = metric.equals("all");
		int window = a.integer("window", Selectivity.Settings.defaultWindow(batch.height(), batch.width()));
		int seed = a.integer("seed", 0);
		// continuity alone still ranks by selectivity, as before insertion and MuFidelity existed
		Selectivity.Settings selectivity = all || metric.equals("selectivity") || metric.equals("continuity")
			? new Selectivity.Settings(window, a.integer("steps", 20), a.get("fill", "zeros"), seed) : null;
		Continuity.Settings continuity = all || metric.equals("continuity") ? new Continuity.Settings(a.integer(
			"continuity-steps", 10), a.get("continuity-mode", "translate"), 0.01, seed) : null;
		Insertion.Settings insertion = all || metric.equals("insertion") ? new Insertion.Settings(window, a.integer(
			"insertion-steps", 20), a.get("insertion-baseline", "blur"), seed) : null;
		MuFidelity.Settings muFidelity = all || metric.equals("mufidelity") ? new MuFidelity.Settings(window, a.number(
			"subset-probability", 0.25), a.integer("subsets", 100), a.get("fill", "zeros"), seed) : null;
		List<MethodComparison.Score> scores = MethodComparison.run(model, batch, methods, new MethodComparison.Metrics(
			selectivity, continuity, insertion, muFidelity), a.integer("batch-size", ExplainOptions.DEFAULT_BATCH_SIZE));
		List<Path> written = new ArrayList<>(List.of(dir.resolve("comparison.csv")));
		EvaluationReport.writeCsv(scores, written.get(0));
		if (selectivity != null) written.add(savePlot(EvaluationReport.plot(scores, "Selectivity"), dir.resolve(
			"selectivity.png")));
		if (continuity != null) written.add(savePlot(EvaluationReport.continuityPlot(scores, "Continuity"), dir.resolve(
			"continuity.png")));
		if (insertion != null) written.add(savePlot(EvaluationReport.insertionPlot(scores, "Insertion"), dir.resolve(
			"insertion.png")));
		out.printf(Locale.ROOT, "%d images, %dx%d windows%n", batch.n(), window, window);
		out.println("rank  method                  AUC      AOPC   continuity  insertion  MuFidelity  s/image");
		for (int i = 0; i < scores.size(); i++) {
			MethodComparison.Score s = scores.get(i);
			out.printf(Locale.ROOT, "%4d  %-20s %7.4f %9.4f %12.4f %10.4f %11.4f %8.4f%n", i + 1, s.method(), s.auc(), s
				.aopc(), s.continuity(), s.insertionAuc(), s.muFidelity(), s.secondsPerImage());
		}
		out.println("wrote " + written.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", ")));
	}

	/** Refuses, before anything runs, outputs in {@code dir} that would replace the model or an image. */
	static void refuseOverwrite(Path model, List<Path> images, Path dir, List<String> outputs) {
		InputFiles inputs = new InputFiles().model(model);
		images.forEach(p -> inputs.file("input image", p));
		for (String output : outputs) inputs.refuse("The output", dir.resolve(output));
	}

	static Path savePlot(ImagePlus plot, Path file) {
		ResultFiles.savePng(plot.getProcessor(), file);
		return file;
	}

	/** A folder's images (sorted), or a comma-separated list of files. */
	static List<Path> imageFiles(String spec) {
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
