package org.explainj.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ScoreKind;

/**
 * Which explanation to trust for this model and these images: every method's selectivity (mean AUC of
 * the normalised perturbation curve and AOPC) and, if asked, continuity (the mean over images of the
 * largest ratio), its time per image and its mean curve, ranked by AUC (lowest first).
 */
public final class MethodComparison {

	/** One method's scores; {@code continuity} is NaN when not measured. */
	public record Score(String method, double auc, double aopc, double continuity, double secondsPerImage,
		float[] meanCurve)
	{}

	private MethodComparison() {}

	public static List<Score> run(ClassifierModel model, InputBatch images, List<AttributionMethod> methods,
		Selectivity.Settings selectivity, Continuity.Settings continuity, int batchSize)
	{
		List<Score> scores = new ArrayList<>();
		for (AttributionMethod method : methods) {
			Explainer explainer = new Explainer(model);
			MethodSettings settings = MethodSettings.of(method, Map.of());
			long t0 = System.nanoTime();
			Explanation e = explainer.explain(method, settings, images, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM,
				batchSize, (d, t) -> {});
			double seconds = (System.nanoTime() - t0) / 1e9 / images.n();
			float[] maps = inputGeometry(e, images);
			float[][] curves = Selectivity.curves(model, images, maps, e.targets(), selectivity);
			double auc = 0, aopc = 0;
			float[] mean = new float[curves[0].length];
			for (float[] c : curves) {
				auc += Selectivity.auc(c) / curves.length;
				aopc += Selectivity.aopc(c) / curves.length;
				for (int t = 0; t < c.length; t++) mean[t] += c[t] / c[0] / curves.length;
			}
			double cont = Double.NaN;
			if (continuity != null) {
				cont = 0;
				for (int i = 0; i < images.n(); i++) {
					InputBatch one = new InputBatch(java.util.Arrays.copyOfRange(images.data(), i * images.imageSize(), (i + 1) *
						images.imageSize()), 1, images.height(), images.width(), images.channels());
					InputBatch sequence = Continuity.sequence(model, one, continuity);
					Explanation s = explainer.explain(method, settings, sequence, null, new Target("" + e.targets()[i]),
						ScoreKind.LOGIT, Reduction.SUM, batchSize, (d, t) -> {});
					float max = 0;
					for (float r : Continuity.ratios(model, sequence, s.maps(), s.height(), s.width(), s.channels())) {
						max = Math.max(max, r);
					}
					cont += max / images.n();
				}
			}
			scores.add(new Score(method.name(), auc, aopc, cont, seconds, mean));
		}
		scores.sort(Comparator.comparingDouble(Score::auc));
		return scores;
	}

	/** Maps at another resolution (Grad-CAM at its layer's) are brought to the input's for the windows. */
	private static float[] inputGeometry(Explanation e, InputBatch images) {
		if (e.height() == images.height() && e.width() == images.width()) return e.maps();
		throw new org.explainj.ExplainException("Method " + e.method() + " gives maps of " + e.width() + "x" + e.height() +
			", not the input's " + images.width() + "x" + images.height() + ".", "Use its input resolution.");
	}
}
