package org.explainj.methods;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerIndex;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.math.Mean;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What the class activation map family (docs/METHODS.md 4) shares: the parameters, the choice of the layer
 * whose activations A_k are weighted, the weighted channel sum sum_k w_k A_k and the optional bilinear
 * upsampling to the model input. Every map is [N,h,w,1]; all of it is TensorFlow ops.
 */
final class ClassActivationMaps {

	static final String AUTO = "auto";
	static final MethodParameter LAYER = new MethodParameter("layer", AUTO, "the layer whose activations are " +
		"weighted: auto = the last convolution (its activation), or a layer name (bin/explainj inspect lists them) " +
		"or, in frozen graphs, a node name");
	static final MethodParameter RESOLUTION = new MethodParameter("resolution", "input", "input = the map " +
		"upsampled (bilinear) to the model input, layer = at the layer's own resolution").among(List.of("input", "layer"));

	/** Ops that make a convolutional layer. */
	private static final Set<String> CONVOLUTIONS = Set.of("Conv2D", "DepthwiseConv2dNative");
	/**
	 * Element-wise ops that keep a convolution's map: activations, and the bias, batch-norm and residual
	 * ops that can stand between a convolution and its activation.
	 */
	private static final Set<String> ELEMENT_WISE = Set.of("Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid",
		"Tanh", "Softplus", "Softsign", "Gelu", "BiasAdd", "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3",
		"Rsqrt", "Mul", "Sub", "Add", "AddV2", "Identity");

	private ClassActivationMaps() {}

	/**
	 * The activations A [N,h,w,C] of the layer named by the "layer" setting. "auto" takes the last layer
	 * with a 4-D spatial output (h*w > 1) that is a convolution or a chain of element-wise layers (the
	 * activation) directly after one: not a pooling after it, not the flattened features.
	 */
	static Output<TFloat32> layer(AttributionContext context) {
		// the context's own version: a copy of the network where a wrapper runs the method on other inputs
		return context.tensor(modelLayer(context));
	}

	/** The layer the "layer" setting names (or the automatic choice) in the model itself. */
	static Output<TFloat32> modelLayer(AttributionContext context) {
		ClassifierModel model = context.model();
		LayerIndex index = model.layers();
		String name = context.settings().string(LAYER.name());
		if (name.equalsIgnoreCase(AUTO)) return autoLayer(index).output();
		LayerIndex.Layer named = index.find(name).orElse(null);
		if (named != null) return checkSpatial(named.name(), named.output(), index);
		// a node of the graph between input and logits (TF1/frozen graphs: "activation_5/Relu")
		GraphOperation op = model.graph().operation(name);
		if (op != null && op.numOutputs() > 0 && op.output(0).dataType() == DataType.DT_FLOAT && dependsOn(op, model
			.input().op()) && dependsOn(model.logits().op(), op)) {
			return checkSpatial(name, op.output(0).expect(TFloat32.class), index);
		}
		return index.layer(name).output(); // throws, naming the layers there are
	}

	/** Whether {@code op} is computed from {@code source} (or is it). */
	private static boolean dependsOn(Operation op, Operation source) {
		Set<String> seen = new HashSet<>();
		Deque<GraphOperation> todo = new ArrayDeque<>(List.of((GraphOperation) op));
		while (!todo.isEmpty()) {
			GraphOperation o = todo.pop();
			if (o.name().equals(source.name())) return true;
			if (!seen.add(o.name())) continue;
			for (int i = 0; i < o.numInputs(); i++) todo.push((GraphOperation) o.input(i).op());
		}
		return false;
	}

	private static LayerIndex.Layer autoLayer(LayerIndex index) {
		LayerIndex.Layer found = null;
		boolean afterConvolution = false;
		for (LayerIndex.Layer l : index.layers()) {
			if (!spatial(l.output().shape())) afterConvolution = false;
			else if (l.ops().stream().anyMatch(CONVOLUTIONS::contains)) afterConvolution = true;
			else afterConvolution = afterConvolution && ELEMENT_WISE.containsAll(l.ops());
			if (afterConvolution) found = l;
		}
		if (found == null) throw new ExplainException("The model has no convolutional layer with a spatial map.",
			"Name a layer with a 4-D output as layer=NAME; its layers are " + index.layers().stream().map(
				LayerIndex.Layer::name).toList() + ".");
		return found;
	}

	/** [N,h,w,C] with h*w > 1 (or not known before run time). */
	private static boolean spatial(Shape s) {
		return s.numDimensions() == 4 && (s.size(1) < 0 || s.size(2) < 0 || s.size(1) * s.size(2) > 1);
	}

	private static Output<TFloat32> checkSpatial(String name, Output<TFloat32> output, LayerIndex index) {
		if (output.shape().numDimensions() == 4) return output;
		throw new ExplainException("Layer '" + name + "' has output shape " + output.shape() +
			"; class activation maps need a 4-D map [batch, height, width, channels].", "Choose one of " + index
				.layers().stream().filter(l -> l.output().shape().numDimensions() == 4).map(LayerIndex.Layer::name)
				.toList() + ".");
	}

	/** sum_k w_k A_k as [N,h,w,1], for channel weights w of shape [N,1,1,C]. */
	static Operand<TFloat32> weightedSum(Ops tf, Operand<TFloat32> activations, Operand<TFloat32> weights) {
		return tf.reduceSum(tf.math.mul(activations, weights), tf.constant(3), ReduceSum.keepDims(true));
	}

	/**
	 * The gradient-weighted maps: ReLU(sum_k w_k A_k) for the chosen layer, where the channel weights
	 * [N,1,1,C] are computed from A and g = dS_c/dA by {@code channelWeights}; at the chosen resolution.
	 */
	static Operand<TFloat32> gradientWeighted(AttributionContext context,
		BiFunction<Operand<TFloat32>, Operand<TFloat32>, Operand<TFloat32>> channelWeights)
	{
		Ops tf = context.tf();
		Output<TFloat32> a = layer(context);
		Operand<TFloat32> g = context.gradient(a);
		return atResolution(context, tf.nn.relu(weightedSum(tf, a, channelWeights.apply(a, g))));
	}

	/** Sum (or mean) over the spatial axes 1 and 2, kept: [N,h,w,C] -> [N,1,1,C]. */
	static Operand<TFloat32> spatialSum(Ops tf, Operand<TFloat32> x) {
		return tf.reduceSum(x, tf.constant(new int[] { 1, 2 }), ReduceSum.keepDims(true));
	}

	/**
	 * A signal spread evenly over the spatial axes alone (a BroadcastTo of [N,1,1,C] to [N,h,w,C]: the
	 * backward pass through a global average pooling) is its own mean: taken as it is, not spread and
	 * averaged again (about 2 % of Grad-CAM at batch 32).
	 */
	static Operand<TFloat32> spatialMean(Ops tf, Operand<TFloat32> x) {
		if (x.op().type().equals("BroadcastTo")) {
			Output<?> source = ((GraphOperation) x.op()).input(0);
			Shape s = source.shape(), spread = x.shape();
			if (s.numDimensions() == 4 && s.size(1) == 1 && s.size(2) == 1 && s.size(0) == spread.size(0) && s.size(3) >= 0 &&
				s.size(3) == spread.size(3)) return source.expect(TFloat32.class);
		}
		return tf.math.mean(x, tf.constant(new int[] { 1, 2 }), Mean.keepDims(true));
	}

	/**
	 * The map as the "resolution" setting asks: "layer" leaves it, "input" resizes it bilinearly (half-pixel
	 * centres) to the model input's height and width.
	 */
	static Operand<TFloat32> atResolution(AttributionContext context, Operand<TFloat32> map) {
		String resolution = context.settings().string(RESOLUTION.name());
		if (resolution.equals("layer")) return map;
		Ops tf = context.tf();
		ClassifierModel model = context.model();
		Operand<TInt32> size = model.height() > 0 && model.width() > 0
			? tf.constant(new int[] { model.height(), model.width() })
			: tf.slice(tf.shape(context.input()), tf.constant(new int[] { 1 }), tf.constant(new int[] { 2 }));
		return tf.image.resizeBilinear(map, size, ResizeBilinear.halfPixelCenters(true));
	}
}
