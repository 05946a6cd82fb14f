package org.explainj.job;

import java.nio.file.Path;
import java.util.Map;

import org.explainj.image.Geometry;
import org.explainj.image.ImageFrames;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ScoreKind;

/**
 * Everything one explanation run needs besides the image; the same for menus, macros, scripts and the
 * command line. {@code reduction} null means the method's own default; {@code parameters} are the
 * method's own options (steps, layer ...), checked against what it declares. {@code trustModel} runs a
 * model that the audit ({@link org.explainj.model.ModelAudit}) refuses; the result then says so.
 * {@code scaling} null means the model's own (its explainj.json's "scaling", else unit). {@code channels}
 * chooses the image channels explained ({@link ImageFrames#of(ij.ImagePlus, String)}; null: all). {@code geometry}
 * says which parts of the image are explained (whole, tiles, ROIs).
 */
public record ExplainOptions(Path model, AttributionMethod method, Target target, ScoreKind score,
	IntensityScaling scaling, Reduction reduction, int batchSize, Map<String, String> parameters, boolean trustModel,
	String channels, Geometry geometry)
{
	public static final int DEFAULT_BATCH_SIZE = 32;

	/** Options for all channels and the default geometry ({@link Geometry#AUTO}). */
	public ExplainOptions(Path model, AttributionMethod method, Target target, ScoreKind score, IntensityScaling scaling,
		Reduction reduction, int batchSize, Map<String, String> parameters, boolean trustModel)
	{
		this(model, method, target, score, scaling, reduction, batchSize, parameters, trustModel, null, Geometry.AUTO);
	}

	/** Options for a model that must pass the audit ({@link org.explainj.model.ModelAudit}). */
	public ExplainOptions(Path model, AttributionMethod method, Target target, ScoreKind score, IntensityScaling scaling,
		Reduction reduction, int batchSize, Map<String, String> parameters)
	{
		this(model, method, target, score, scaling, reduction, batchSize, parameters, false);
	}

	/**
	 * The same options with the model run even when the audit refuses it (it reads or writes files ...);
	 * the result then says so.
	 */
	public ExplainOptions withTrustedModel(boolean trust) {
		return new ExplainOptions(model, method, target, score, scaling, reduction, batchSize, parameters, trust,
			channels, geometry);
	}

	/** The same options explaining the chosen channels of the image ("1-3", "2", "1,3", "all"). */
	public ExplainOptions withChannels(String chosen) {
		return new ExplainOptions(model, method, target, score, scaling, reduction, batchSize, parameters, trustModel,
			chosen, geometry);
	}

	/** The same options with another geometry (fit, tiles, ROIs; {@link Geometry}). */
	public ExplainOptions withGeometry(Geometry g) {
		return new ExplainOptions(model, method, target, score, scaling, reduction, batchSize, parameters, trustModel,
			channels, g);
	}

	public ExplainOptions withModel(Path m) {
		return new ExplainOptions(m, method, target, score, scaling, reduction, batchSize, parameters, trustModel,
			channels, geometry);
	}

	public ExplainOptions withTarget(Target t) {
		return new ExplainOptions(model, method, t, score, scaling, reduction, batchSize, parameters, trustModel,
			channels, geometry);
	}

	public ExplainOptions withScore(ScoreKind s) {
		return new ExplainOptions(model, method, target, s, scaling, reduction, batchSize, parameters, trustModel,
			channels, geometry);
	}

	public ExplainOptions withScaling(IntensityScaling s) {
		return new ExplainOptions(model, method, target, score, s, reduction, batchSize, parameters, trustModel,
			channels, geometry);
	}

	/** null: the method's own reduction. */
	public ExplainOptions withReduction(Reduction r) {
		return new ExplainOptions(model, method, target, score, scaling, r, batchSize, parameters, trustModel,
			channels, geometry);
	}

	public ExplainOptions withBatchSize(int n) {
		return new ExplainOptions(model, method, target, score, scaling, reduction, n, parameters, trustModel,
			channels, geometry);
	}

	public ExplainOptions withParameters(Map<String, String> p) {
		return new ExplainOptions(model, method, target, score, scaling, reduction, batchSize, Map.copyOf(p), trustModel,
			channels, geometry);
	}

	/** The method's defaults: the top class's logit, the model's scaling, the method's reduction, all channels. */
	public static ExplainOptions defaults(Path model, String method) {
		return new ExplainOptions(model, Methods.byName(method), Target.TOP, ScoreKind.LOGIT, null, null,
			DEFAULT_BATCH_SIZE, Map.of());
	}

	/** The scaling chosen, or else the model's own ({@link IntensityScaling#of}). */
	public IntensityScaling effectiveScaling(ClassifierModel loaded) {
		return scaling != null ? scaling : IntensityScaling.of(loaded);
	}

	/** Parses a scaling where "default" (or empty) means the model's own. */
	public static IntensityScaling parseScaling(String s) {
		return s == null || s.isBlank() || s.equalsIgnoreCase("default") ? null : IntensityScaling.parse(s);
	}

	public Reduction effectiveReduction() {
		return reduction != null ? reduction : method.defaultReduction();
	}

	/** The parameter values, validated against the method. */
	public MethodSettings settings() {
		return MethodSettings.of(method, parameters);
	}

	/** Parses a reduction where "default" (or empty) keeps the method's own. */
	public static Reduction parseReduction(String s) {
		return s == null || s.isBlank() || s.equalsIgnoreCase("default") ? null : Reduction.parse(s);
	}
}
