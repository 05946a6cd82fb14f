package org.explainj.job;

import java.nio.file.Files;
import java.nio.file.Path;

import org.explainj.ExplainException;
import org.explainj.image.ImageFrames;
import org.explainj.methods.Baselines;
import org.explainj.image.ImageGeometry;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;

import ij.IJ;
import ij.ImagePlus;

/**
 * One explanation of one image or stack: load (or reuse) the model, bring every frame to the model's
 * geometry, run the method batched, and bring the maps back to the image's geometry. The source image
 * is only read.
 */
public final class ExplainJob {

	private ExplainJob() {}

	public static ExplainResult run(ImagePlus image, ExplainOptions options) {
		return run(image, options, (done, total) -> {});
	}

	public static ExplainResult run(ImagePlus image, ExplainOptions options, Explainer.Progress progress) {
		try (ModelCache.Lease lease = ModelCache.shared().acquire(options.model(), options.trustModel())) {
			ClassifierModel model = lease.model();
			ImageFrames frames = ImageFrames.of(image);
			InputBatch batch = ImageGeometry.shared().toModelInput(frames, model, options.scaling());
			Explanation explanation = new Explainer(model).explain(options.method(), options.settings(), batch,
				reference(options, model), options.target(), options.score(), options.effectiveReduction(), options
					.batchSize(), progress);
			float[] maps = ImageGeometry.shared().toSource(explanation, image.getWidth(), image.getHeight());
			return new ExplainResult(image, model, options, explanation, maps);
		}
	}

	/**
	 * A baseline given as an image file, brought to the model like the explained image; null when the
	 * method's baseline is not a file (zeros, blur ...).
	 */
	private static InputBatch reference(ExplainOptions options, ClassifierModel model) {
		String baseline = options.settings().values().get("baseline");
		boolean isFile = baseline != null && !Baselines.isConstant(baseline) && (baseline.contains(
			"/") || baseline.contains(".") || baseline.contains("\\"));
		if (!isFile) return null;
		Path file = Path.of(baseline);
		ImagePlus imp = Files.isRegularFile(file) ? IJ.openImage(file.toString()) : null;
		if (imp == null) throw new ExplainException("Cannot open the baseline image " + file + ".",
			"Give zeros, blur or an image file ImageJ can open.");
		InputBatch ref = ImageGeometry.shared().toModelInput(ImageFrames.of(imp), model, options.scaling());
		if (ref.n() != 1) throw new ExplainException("The baseline image " + file + " has " + ref.n() + " slices.",
			"Give a single image as baseline.");
		return ref;
	}
}
