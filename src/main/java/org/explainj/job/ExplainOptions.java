package org.explainj.job;

import java.nio.file.Path;
import java.util.Map;

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
 * method's own options (steps, layer ...), checked against what it declares.
 */
public record ExplainOptions(Path model, AttributionMethod method, Target target, ScoreKind score,
	IntensityScaling scaling, Reduction reduction, int batchSize, Map<String, String> parameters)
{
	public static final int DEFAULT_BATCH_SIZE = 32;

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
