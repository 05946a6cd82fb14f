package org.explainj.methods;

import org.explainj.ExplainException;

/** Preprocessed model input: n images of h x w x c floats, NHWC order. */
public record InputBatch(float[] data, int n, int height, int width, int channels) {

	public InputBatch {
		if ((long) n * height * width * channels != data.length) throw new IllegalArgumentException(
			"batch data has " + data.length + " values, not " + n + "x" + height + "x" + width + "x" + channels);
	}

	public int imageSize() {
		return height * width * channels;
	}

	/** Checks the batch against the model's input shape (-1 = any size). */
	public void checkFits(int modelHeight, int modelWidth, int modelChannels) {
		if ((modelHeight > 0 && modelHeight != height) || (modelWidth > 0 && modelWidth != width) ||
			modelChannels != channels) throw new ExplainException("The input is " + height + "x" + width + "x" +
				channels + " but the model expects " + modelHeight + "x" + modelWidth + "x" + modelChannels + ".",
				"Resize the image and map its channels to the model first.");
	}
}
