package org.explainj.job;

import java.nio.file.Path;
import java.util.Map;

import org.explainj.image.Geometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;

/**
 * Everything one explanation run needs besides the image; the same for menus, macros, scripts and the
 * command line. {@code reduction} null means the method's own default; {@code parameters} are the
 * method's own options (steps, layer ...), checked against what it declares. {@code trustModel} runs a
 * model that the audit ({@link org.explainj.model.ModelAudit}) refuses; the result then says so. {@code geometry}
 * says which parts of the image are explained (whole, tiles, ROIs).
 */
public record ExplainOptions(Path model, AttributionMethod method, Target target, ScoreKind score,
	IntensityScaling scaling, Reduction reduction, int batchSize, Map<String, String> parameters, boolean trustModel,
	Geometry geometry)
{
	public static final int DEFAULT_BATCH_SIZE = 32;

	/** Options with the default geometry ({@link Geometry#AUTO}). */
	public ExplainOptions(Path model, AttributionMethod method, Target target, ScoreKind score, IntensityScaling scaling,
		Reduction reduction, int batchSize, Map<String, String> parameters, boolean trustModel)
	{
		this(model, method, target, score, scaling, reduction, batchSize, parameters, trustModel, Geometry.AUTO);
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
		return new ExplainOptions(model, method, target, score, scaling, reduction, batchSize, parameters, trust, geometry);
	}

	/** The same options with another geometry (fit, tiles, ROIs; {@link Geometry}). */
	public ExplainOptions withGeometry(Geometry g) {
		return new ExplainOptions(model, method, target, score, scaling, reduction, batchSize, parameters, trustModel, g);
	}

	public static ExplainOptions defaults(Path model, String method) {
		return new ExplainOptions(model, Methods.byName(method), Target.TOP, ScoreKind.LOGIT, IntensityScaling.UNIT,
			null, DEFAULT_BATCH_SIZE, Map.of());
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
