package org.explainj.maximize;

import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerIndex;

/**
 * What one row maximises: a class (log p(c|x)) or an internal unit {@code LAYER:CHANNEL} (the mean over
 * positions of that channel of the layer's output; for a dense layer its unit).
 *
 * @param text as the user wrote it
 * @param classIndex the class, or -1 for a unit
 * @param layer the unit's layer, or null for a class
 * @param channel the unit's channel
 */
public record MaximizeTarget(String text, int classIndex, LayerIndex.Layer layer, int channel) {

	/** Parses "3,7", "infected,uninfected", "conv2:5" (comma-separated, several at once). */
	public static List<MaximizeTarget> parse(String targets, ClassifierModel model) {
		if (targets == null || targets.isBlank()) throw new ExplainException("No target was given.",
			"Give one or more classes (index or name, comma-separated) or units LAYER:CHANNEL.");
		List<MaximizeTarget> out = new ArrayList<>();
		for (String part : targets.split(",")) {
			String t = part.trim();
			if (t.isEmpty()) throw new ExplainException("The target list '" + targets + "' has an empty entry.",
				"Separate targets by single commas, e.g. 3,7.");
			if (t.equalsIgnoreCase("top")) throw new ExplainException("Target 'top' means the predicted class of an " +
				"image; a prototype has no image to start from.", "Name the class (index or name) or a unit LAYER:CHANNEL.");
			int colon = t.lastIndexOf(':');
			if (colon > 0 && t.substring(colon + 1).trim().matches("\\d+") && !model.labels().contains(t)) {
				LayerIndex.Layer layer = model.layers().layer(t.substring(0, colon).trim());
				int channel = Integer.parseInt(t.substring(colon + 1).trim());
				var shape = layer.unitOutput().shape();
				long channels = shape.numDimensions() > 0 ? shape.size(shape.numDimensions() - 1) : -1;
				if (shape.numDimensions() != 4 && shape.numDimensions() != 2) throw new ExplainException("Layer '" +
					layer.name() + "' has output shape " + shape + "; units need a feature map [N,H,W,C] or a dense " +
					"layer [N,C].", "Choose a convolution or dense layer (bin/explainj inspect lists them).");
				if (channels > 0 && channel >= channels) throw new ExplainException("Layer '" + layer.name() + "' has " +
					channels + " channels; there is no channel " + channel + ".", "Use a channel from 0 to " + (channels - 1) +
						".");
				out.add(new MaximizeTarget(t, -1, layer, channel));
			}
			else {
				int index;
				if (t.matches("\\d+") || model.labels().stream().anyMatch(l -> l.equalsIgnoreCase(t))) {
					index = new Target(t).index(model.labels(), model.numClasses());
				}
				else throw new ExplainException("Unknown target '" + t + "'.", "Use a class index 0.." + (model.numClasses() -
					1) + (model.labels().isEmpty() ? "" : ", a class name " + model.labels()) +
					" or a unit LAYER:CHANNEL (bin/explainj inspect lists the layers).");
				out.add(new MaximizeTarget(t, index, null, 0));
			}
		}
		return out;
	}

	public boolean isUnit() {
		return layer != null;
	}
}
