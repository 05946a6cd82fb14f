package org.explainj.job;

import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelCache;

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
		ClassifierModel model = ModelCache.shared().get(options.model());
		ImageFrames frames = ImageFrames.of(image);
		InputBatch batch = ImageGeometry.shared().toModelInput(frames, model, options.scaling());
		Explanation explanation = new Explainer(model).explain(options.method(), options.settings(), batch,
			options.target(), options.score(), options.effectiveReduction(), options.batchSize(), progress);
		float[] maps = ImageGeometry.shared().toSource(explanation, image.getWidth(), image.getHeight());
		return new ExplainResult(image, model, options, explanation, maps);
	}
}
