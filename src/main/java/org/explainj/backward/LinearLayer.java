package org.explainj.backward;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.op.nn.DepthwiseConv2dNativeBackpropInput;
import org.tensorflow.types.TFloat32;

/**
 * A linear layer of the network as the rules see it: its input activations, weights and bias (null when
 * it has none), and its forward op and transpose for any weights and inputs, so that a rule can run the
 * layer with modified parameters (w+, w^2 ...) and send a signal back through them. {@code valid} is 1
 * where the input holds image values and 0 on a border an explicit Pad op added (null: all valid).
 * {@code output} is the layer's z as the network computed it (null: unknown).
 */
public record LinearLayer(Kind kind, Output<TFloat32> input, Output<TFloat32> weight, Operand<TFloat32> bias,
	List<Long> strides, String padding, List<Long> dilations, List<Long> explicitPaddings, boolean transposeWeight,
	Operand<TFloat32> valid, Operand<TFloat32> output)
{
	public LinearLayer(Kind kind, Output<TFloat32> input, Output<TFloat32> weight, Operand<TFloat32> bias,
		List<Long> strides, String padding, List<Long> dilations, List<Long> explicitPaddings, boolean transposeWeight)
	{
		this(kind, input, weight, bias, strides, padding, dilations, explicitPaddings, transposeWeight, null, null);
	}

	public LinearLayer withValid(Operand<TFloat32> mask) {
		return new LinearLayer(kind, input, weight, bias, strides, padding, dilations, explicitPaddings, transposeWeight,
			mask, output);
	}

	public LinearLayer withOutput(Operand<TFloat32> z) {
		return new LinearLayer(kind, input, weight, bias, strides, padding, dilations, explicitPaddings, transposeWeight,
			valid, z);
	}

	/**
	 * z = x (*) w + b. The network's own value where known: the relevance arriving here was computed from
	 * it, and a z recomputed with folded batch-norm weights differs by round-off, which R / z turns into
	 * large errors wherever z nearly cancels (LRP-0 would then miss gradient x input). Reading it also
	 * saves the rules a second convolution per layer.
	 */
	public Operand<TFloat32> z(Ops tf) {
		return output != null ? output : tf.math.add(forward(tf, input, weight), biasOrZero(tf));
	}

	/** The valid-pixel mask, or ones. */
	public Operand<TFloat32> validOrOnes(Ops tf) {
		return valid != null ? valid : tf.onesLike(input);
	}

	/**
	 * The kinds of linear layer; SCALE is element-wise, x * w with w broadcast (a batch norm that no linear
	 * layer precedes, with its shift as bias).
	 */
	public enum Kind { CONV, DEPTHWISE, DENSE, SCALE }

	/** x (*) w, without bias. */
	public Operand<TFloat32> forward(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w) {
		return switch (kind) {
			case CONV -> tf.nn.conv2d(x, w, strides, padding, Conv2d.dilations(dilations), Conv2d.explicitPaddings(
				explicitPaddings));
			case DEPTHWISE -> tf.nn.depthwiseConv2dNative(x, w, strides, padding, DepthwiseConv2dNative.dilations(
				dilations));
			case DENSE -> tf.linalg.matMul(x, w, org.tensorflow.op.linalg.MatMul.transposeB(transposeWeight));
			case SCALE -> tf.math.mul(x, w);
		};
	}

	/** a1 (*) w1 + a2 (*) w2; a2 null (an input's left-out negative part): the first term alone. */
	public Operand<TFloat32> forward(Ops tf, Operand<TFloat32> a1, Operand<TFloat32> w1, Operand<TFloat32> a2,
		Operand<TFloat32> w2)
	{
		Operand<TFloat32> first = forward(tf, a1, w1);
		return a2 == null ? first : tf.math.add(first, forward(tf, a2, w2));
	}

	/** The transpose of forward: a signal on the output sent back to the input's shape. */
	public Operand<TFloat32> transpose(Ops tf, Operand<TFloat32> s, Operand<TFloat32> w) {
		return switch (kind) {
			case CONV -> flippable(w) ? tf.nn.conv2d(s, tf.linalg.transpose(tf.reverse(w, tf.constant(new int[] { 0, 1 })),
				tf.constant(new int[] { 0, 1, 3, 2 })), strides, padding) : tf.nn.conv2dBackpropInput(tf.shape(input), w, s,
					strides, padding, Conv2dBackpropInput.dilations(dilations), Conv2dBackpropInput.explicitPaddings(
						explicitPaddings));
			case DEPTHWISE -> tf.nn.depthwiseConv2dNativeBackpropInput(tf.shape(input), w, s, strides, padding,
				DepthwiseConv2dNativeBackpropInput.dilations(dilations));
			case DENSE -> tf.linalg.matMul(s, w, org.tensorflow.op.linalg.MatMul.transposeB(!transposeWeight));
			// a scale may broadcast its input (a [N,H,W,1] statistic times per-channel weights)
			case SCALE -> Transposes.unbroadcast(tf, tf.math.mul(s, w), input);
		};
	}

	/**
	 * Whether the transpose of this convolution is itself a convolution, with the kernel turned by 180 degrees
	 * and its input and output channels swapped: stride 1, no dilation, SAME padding of an odd kernel (the
	 * same border on every side), no groups. TensorFlow's forward kernel then gives the same numbers as its
	 * Conv2DBackpropInput (bit for bit on oneDNN) in 0.5-0.9 of the time at batch 1.
	 */
	private boolean flippable(Operand<TFloat32> w) {
		Shape k = w.shape(), in = input.shape();
		return padding.equals("SAME") && strides.stream().allMatch(v -> v == 1) && (dilations == null || dilations.stream()
			.allMatch(v -> v == 1)) && k.numDimensions() == 4 && k.size(0) > 0 && k.size(0) % 2 == 1 && k.size(1) > 0 && k
				.size(1) % 2 == 1 && in.numDimensions() == 4 && in.size(3) > 0 && in.size(3) == k.size(2);
	}

	/** The bias broadcast to the output, or a zero. */
	public Operand<TFloat32> biasOrZero(Ops tf) {
		return bias != null ? bias : tf.constant(0f);
	}
}
