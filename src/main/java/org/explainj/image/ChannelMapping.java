package org.explainj.image;

import java.util.List;
import java.util.Optional;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;

/**
 * Maps the chosen image channels to the model's as a [from, to] matrix applied in the graph: identity
 * (in the channel order the model's sidecar gives), grey replicated to every model channel, or RGB
 * averaged to grey; with what the user should know about a replication or an average.
 */
record ChannelMapping(float[][] matrix, Optional<String> note) {

	static ChannelMapping of(ImageFrames frames, ClassifierModel model) {
		int from = frames.channels(), to = model.channels();
		float[][] m = new float[from][to];
		if (from == to) {
			List<Integer> order = model.channelOrder().orElse(null);
			for (int j = 0; j < to; j++) m[order == null ? j : order.get(j) - 1][j] = 1;
			return new ChannelMapping(m, Optional.empty());
		}
		if (from == 1) {
			for (int j = 0; j < to; j++) m[0][j] = 1;
			return new ChannelMapping(m, Optional.of("The image has one channel but the model expects " + to + ": the grey " +
				"values were copied into every model channel, an input a model trained on colour images never saw; explain " +
				"a colour image if there is one."));
		}
		if (to == 1 && (frames.rgb() || from == 3)) {
			for (int i = 0; i < from; i++) m[i][0] = 1f / from;
			return new ChannelMapping(m, Optional.of("The image has " + from + " channels but the model expects one: the " +
				"channels were averaged into one grey image; to explain a single channel instead, choose it (e.g. " +
				"channels=2 in a macro, --channels 2 on the command line)."));
		}
		String choose = from > to && to > 1 ? "channels=1-" + to : "channels=1";
		throw new ExplainException("The image has " + from + " channels but the model expects " + to +
			" and there is no natural mapping between them.", "Choose " + (from > to ? to : 1) + " of them (e.g. " + choose +
				" in a macro, --" + choose.replace("=", " ") + " on the command line) or give an image with " + to +
				" channels" + (to == 3 ? " (Image > Color > Stack to RGB makes an RGB image of a composite)." : "."));
	}
}
