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
 * the normalised perturbation curve and AOPC), continuity (the mean over images of the largest ratio),
 * insertion (mean AUC of the probability curve) and MuFidelity (mean correlation), each where asked, its
 * time per image and its mean curves.
 */
public final class MethodComparison {

	/**
	 * One method's scores. Continuity (NaN when not measured): {@code continuity} is the mean over images of
	 * the largest ratio, {@code continuityMean} the mean of all ratios, {@code continuityCurve} the mean ratio
	 * per step, and {@code sequenceMaps} the maps of the first image's sequence ([n+1, h, w] in model
	 * geometry), so that front ends can show them.
	 */
	public record Score(String method, double auc, double aopc, double continuity, double continuityMean,
		float[] continuityCurve, float[] sequenceMaps, double secondsPerImage, float[] meanCurve, double insertionAuc,
		float[] insertionCurve, double muFidelity)
	{}

	/**
	 * Which measures to take, each with its settings (null: not measured). Insertion's mean curve is of the
	 * target's probability; NaN marks what was not measured.
	 */
	public record Metrics(Selectivity.Settings selectivity, Continuity.Settings continuity, Insertion.Settings insertion,
		MuFidelity.Settings muFidelity)
	{}

	private MethodComparison() {}

	public static List<Score> run(ClassifierModel model, InputBatch images, List<AttributionMethod> methods,
		Selectivity.Settings selectivity, Continuity.Settings continuity, int batchSize)
	{
		return run(model, images, methods, new Metrics(selectivity, continuity, null, null), batchSize);
	}

	/**
	 * Ranked by selectivity's AUC (lowest first) when measured, else by insertion's AUC, else by MuFidelity
	 * (highest first), else by continuity (lowest first).
	 */
	public static List<Score> run(ClassifierModel model, InputBatch images, List<AttributionMethod> methods,
		Metrics metrics, int batchSize)
	{
		Selectivity.Settings selectivity = metrics.selectivity();
		Continuity.Settings continuity = metrics.continuity();
		List<Score> scores = new ArrayList<>();
		for (AttributionMethod method : methods) {
			Explainer explainer = new Explainer(model);
			MethodSettings settings = MethodSettings.of(method, Map.of());
			long t0 = System.nanoTime();
			Explanation e = explainer.explain(method, settings, images, null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM,
				batchSize, (d, t) -> {});
			double seconds = (System.nanoTime() - t0) / 1e9 / images.n();
			float[] maps = inputGeometry(e, images);
			double auc = Double.NaN, aopc = Double.NaN;
			float[] mean = new float[0];
			if (selectivity != null) {
				float[][] curves = Selectivity.curves(model, images, maps, e.targets(), selectivity, batchSize);
				auc = 0;
				aopc = 0;
				mean = new float[curves[0].length];
				for (float[] c : curves) {
					auc += Selectivity.auc(c) / curves.length;
					aopc += Selectivity.aopc(c) / curves.length;
					for (int t = 0; t < c.length; t++) mean[t] += c[t] / c[0] / curves.length;
				}
			}
			double insertion = Double.NaN;
			float[] insertionCurve = new float[0];
			if (metrics.insertion() != null) {
				float[][] curves = Insertion.curves(model, images, maps, e.targets(), metrics.insertion(), batchSize);
				insertion = 0;
				insertionCurve = new float[curves[0].length];
				for (float[] c : curves) {
					insertion += Insertion.auc(c) / curves.length;
					for (int t = 0; t < c.length; t++) insertionCurve[t] += c[t] / curves.length;
				}
			}
			double muFidelity = metrics.muFidelity() == null ? Double.NaN : MuFidelity.mean(MuFidelity.subsets(model,
				images, maps, e.targets(), metrics.muFidelity(), batchSize));
			double cont = Double.NaN, contMean = Double.NaN;
			float[] contCurve = new float[0], sequenceMaps = new float[0];
			if (continuity != null) {
				cont = 0;
				contMean = 0;
				contCurve = new float[continuity.steps()];
				for (int i = 0; i < images.n(); i++) {
					InputBatch one = new InputBatch(java.util.Arrays.copyOfRange(images.data(), i * images.imageSize(), (i + 1) *
						images.imageSize()), 1, images.height(), images.width(), images.channels());
					InputBatch sequence = Continuity.sequence(model, one, continuity);
					Explanation s = explainer.explain(method, settings, sequence, null, new Target("" + e.targets()[i]),
						ScoreKind.LOGIT, Reduction.SUM, batchSize, (d, t) -> {});
					float max = 0;
					float[] ratios = Continuity.ratios(model, sequence, s.maps(), s.height(), s.width(), s.channels());
					for (int t = 0; t < ratios.length; t++) {
						max = Math.max(max, ratios[t]);
						contMean += ratios[t] / ratios.length / images.n();
						contCurve[t] += ratios[t] / images.n();
					}
					cont += max / images.n();
					if (i == 0) sequenceMaps = s.maps();
				}
			}
			scores.add(new Score(method.name(), auc, aopc, cont, contMean, contCurve, sequenceMaps, seconds, mean,
				insertion, insertionCurve, muFidelity));
		}
		Comparator<Score> rank = selectivity != null ? Comparator.comparingDouble(Score::auc) : metrics.insertion() != null
			? Comparator.comparingDouble((Score s) -> -s.insertionAuc()) : metrics.muFidelity() != null ? Comparator
				.comparingDouble((Score s) -> -s.muFidelity()) : Comparator.comparingDouble(Score::continuity);
		scores.sort(rank);
		return scores;
	}

	/** Maps at another resolution (Grad-CAM at its layer's) are brought to the input's for the windows. */
	private static float[] inputGeometry(Explanation e, InputBatch images) {
		if (e.height() == images.height() && e.width() == images.width()) return e.maps();
		throw new org.explainj.ExplainException("Method " + e.method() + " gives maps of " + e.width() + "x" + e.height() +
			", not the input's " + images.width() + "x" + images.height() + ".", "Use its input resolution.");
	}
}
