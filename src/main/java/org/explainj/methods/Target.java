package org.explainj.methods;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.explainj.ExplainException;
import org.explainj.model.ClassNames;

/**
 * What is explained: the predicted class ({@code top}), a class index, a class name from the model's
 * labels, or an internal unit {@code LAYER:CHANNEL} (the mean over positions of that channel of a
 * convolutional layer's output, after its activation) or {@code LAYER:INDEX} (a unit of a dense layer).
 */
public record Target(String text) {

	public static final Target TOP = new Target("top");

	/** An internal unit: a layer (by its Keras or node name) and a channel. */
	public record Unit(String layer, int channel) {}

	/** The unit this target names, if it names one. */
	public Optional<Unit> unit() {
		Matcher m = Pattern.compile("(.+):(\\d+)").matcher(text.trim());
		return m.matches() ? Optional.of(new Unit(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
	}

	/** Feed value for the graph: the class index, or -1 for "the class the model predicts". */
	public int index(List<String> labels, int numClasses) {
		String t = text.trim();
		if (t.equalsIgnoreCase("top") || unit().isPresent()) return -1;
		int i = labels.indexOf(t);
		if (i < 0) {
			for (int k = 0; k < labels.size(); k++) if (labels.get(k).equalsIgnoreCase(t)) i = k;
		}
		if (i < 0 && t.matches("\\d+")) i = Integer.parseInt(t);
		if (i < 0) throw new ExplainException("Unknown target '" + t + "'.", "Use top, a class index 0.." +
			(numClasses - 1) + (labels.isEmpty() ? "; the model has no class names (" + ClassNames.WHERE + ")." :
				" or a class name " + labels + "; " + ClassNames.WHERE + "."));
		if (i >= numClasses) throw new ExplainException("Target class " + i + " does not exist: the model has " +
			numClasses + " classes.", "Use top or an index from 0 to " + (numClasses - 1) + ".");
		return i;
	}

	@Override
	public String toString() {
		return text;
	}
}
