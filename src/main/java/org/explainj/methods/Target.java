package org.explainj.methods;

import java.util.List;

import org.explainj.ExplainException;

/**
 * Which class is explained: the predicted one ({@code top}), a class index, or a class name from the
 * model's labels.
 */
public record Target(String text) {

	public static final Target TOP = new Target("top");

	/** Feed value for the graph: the class index, or -1 for "the class the model predicts". */
	public int index(List<String> labels, int numClasses) {
		String t = text.trim();
		if (t.equalsIgnoreCase("top")) return -1;
		int i = labels.indexOf(t);
		if (i < 0) {
			for (int k = 0; k < labels.size(); k++) if (labels.get(k).equalsIgnoreCase(t)) i = k;
		}
		if (i < 0 && t.matches("\\d+")) i = Integer.parseInt(t);
		if (i < 0) throw new ExplainException("Unknown target '" + t + "'.", "Use top, a class index 0.." +
			(numClasses - 1) + (labels.isEmpty() ? "" : " or a class name " + labels) + ".");
		if (i >= numClasses) throw new ExplainException("Target class " + i + " does not exist: the model has " +
			numClasses + " classes.", "Use top or an index from 0 to " + (numClasses - 1) + ".");
		return i;
	}

	@Override
	public String toString() {
		return text;
	}
}
