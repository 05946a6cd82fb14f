package org.explainj.methods;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One explanation method. It adds TensorFlow ops to the model's graph that map the input batch to an
 * attribution map of the same shape [N,H,W,C]; the ops are built once per model and run for every batch.
 */
public interface AttributionMethod {

	/** Name used on the command line and in macros, e.g. "gradient-x-input". */
	String name();

	/** Menu title, e.g. "Gradient x Input". */
	String title();

	/** One line for `explainj methods` and the README. */
	String description();

	/** How the map is reduced over channels for display unless the user says otherwise. */
	Reduction defaultReduction();

	/** The options this method takes, with their defaults. */
	default List<MethodParameter> parameters() {
		return List.of();
	}

	/**
	 * How many network evaluations one image costs in a run (path points, noisy copies, windows): the
	 * explainer puts at most batch-size evaluations into one run, so memory stays bounded.
	 */
	default int evaluationsPerImage(MethodSettings settings, int height, int width) {
		return 1;
	}

	/**
	 * How many parts (path points, noisy samples) the map sums over. A method with more than one reads the
	 * parts of a run from {@link AttributionContext#partIndices} and returns their share of the sum; the
	 * explainer runs the parts in chunks that fit the batch size and adds the shares up in the graph,
	 * then applies {@link #finish}. Reported numbers are added up the same way.
	 */
	default int parts(MethodSettings settings, int height, int width) {
		return 1;
	}

	/** Numbers per part (e.g. path positions and quadrature weights), each of length {@link #parts}. */
	default java.util.Map<String, float[]> partValues(MethodSettings settings) {
		return java.util.Map.of();
	}

	/** The map from the sum of every part's share (default: the sum itself). */
	default Operand<TFloat32> finish(AttributionContext context, Operand<TFloat32> sum) {
		return sum;
	}

	/**
	 * Checks the fed values of one run (the graph is built once, for the first values): one clear
	 * {@link org.explainj.ExplainException} for a value the method cannot use.
	 */
	default void check(MethodSettings settings) {}

	/**
	 * What the graph of these settings depends on (default: the structural values, fed numbers left out),
	 * so that runs differing only in fed values share one graph.
	 */
	default java.util.Map<String, String> structure(MethodSettings settings) {
		return settings.structure(this);
	}

	/** True for methods that can explain an internal unit ({@code LAYER:CHANNEL} targets). */
	default boolean explainsUnits() {
		return false;
	}

	/**
	 * What the user should know about a finished run, read from its diagnostics (relevance lost, a score
	 * swallowed by epsilon ...): one sentence each; none by default.
	 */
	default List<String> notes(Explanation explanation, MethodSettings settings) {
		return List.of();
	}

	/** Builds the map's ops; {@code context.settings()} holds the parameter values. */
	Operand<TFloat32> build(AttributionContext context);
}
