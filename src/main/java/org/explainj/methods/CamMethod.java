package org.explainj.methods;

import java.util.List;
import java.util.Set;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerIndex;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Class activation map (docs/METHODS.md 4.1, Zhou et al.): for a network that ends in conv features A_k ->
 * global average pooling -> one dense layer, M_c = sum_k w_kc A_k with the dense weights of the target
 * class c. The structure is read from the graph's op types (never node names): from the logits back
 * through the bias add to a MatMul with constant or variable weights, whose data input is a Mean over
 * the spatial axes of a 4-D map (Reshape, Squeeze or Identity may stand between). The map is signed:
 * reductions none and sum keep it, abs-sum and max-abs give |M_c|, l2-sq M_c^2.
 */
public final class CamMethod implements AttributionMethod {

	/** The feature map A [N,h,w,C] and the dense weights, [C,K] or, with transpose_b, [K,C]. */
	private record GapDense(Output<TFloat32> features, Output<TFloat32> weights, boolean transposed) {}

	private static final Set<String> PASS = Set.of("Identity", "Reshape", "Squeeze");

	@Override public String name() { return "cam"; }

	@Override public String title() { return "CAM"; }

	@Override public String description() {
		return "class activation map, sum_k w_kc A_k (conv -> global average pooling -> dense networks; signed)";
	}

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	/** CAM can weight one map only; naming it is allowed so that every CAM method takes a layer. */
	private static final MethodParameter LAYER = new MethodParameter("layer", ClassActivationMaps.AUTO, "the map " +
		"that the global average pooling reads, the only one CAM can weight: auto, or that layer's name (checked)");

	@Override
	public List<MethodParameter> parameters() {
		return List.of(LAYER, ClassActivationMaps.RESOLUTION);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		Ops tf = context.tf();
		GapDense net = gapDense(context.model());
		String layer = context.settings().string(LAYER.name());
		String features = net.features().op().name();
		if (!layer.equalsIgnoreCase(ClassActivationMaps.AUTO) && !ClassActivationMaps.modelLayer(context).op().name()
			.equals(features)) throw new ExplainException("CAM weights only the map that the global average pooling " +
				"reads (layer '" + layerName(context.model(), features) + "'); layer '" + layer + "' is not that map.",
				"Use layer=auto (or that layer's name) for CAM, or grad-cam for any other layer.");
		// the target class's weight column per sample: [N,C], then [N,1,1,C]
		Operand<TFloat32> w = net.transposed() ? tf.gather(net.weights(), context.target(), tf.constant(0))
			: tf.linalg.transpose(tf.gather(net.weights(), context.target(), tf.constant(1)), tf.constant(new int[] { 1,
				0 }));
		Operand<TFloat32> w11 = tf.expandDims(tf.expandDims(w, tf.constant(1)), tf.constant(1));
		return ClassActivationMaps.atResolution(context, ClassActivationMaps.weightedSum(tf, context.tensor(net
			.features()), w11));
	}

	private static GapDense gapDense(ClassifierModel model) {
		Output<?> t = skip(model.logits(), Set.of("Identity"));
		GraphOperation op = (GraphOperation) t.op();
		if (Set.of("BiasAdd", "Add", "AddV2").contains(op.type())) {
			GraphOperation matMul = null;
			for (int i = 0; i < 2; i++) {
				Output<?> in = skip(op.input(i), Set.of("Identity"));
				if (in.op().type().equals("MatMul") && isParameter(op.input(1 - i))) matMul = (GraphOperation) in.op();
			}
			if (matMul == null) throw notGapDense("the logits come from " + op.type() + " without a dense layer");
			op = matMul;
		}
		if (!op.type().equals("MatMul")) throw notGapDense("the logits come from " + op.type() + ", not a dense layer");
		if (op.attributes().getAttrBool("transpose_a") || !isParameter(op.input(1)) || op.input(1)
			.dataType() != DataType.DT_FLOAT) throw notGapDense("the last MatMul is not a dense layer with weights");
		Output<?> pooled = skip(op.input(0), PASS);
		if (!pooled.op().type().equals("Mean")) throw notGapDense("the dense layer reads " + pooled.op().type() +
			", not a global average pooling");
		GraphOperation mean = (GraphOperation) pooled.op();
		Output<?> features = mean.input(0);
		if (features.shape().numDimensions() != 4 || features.dataType() != DataType.DT_FLOAT || !spatialAxes(mean
			.input(1))) throw notGapDense("the Mean before the dense layer is not over the height and width of a map");
		return new GapDense(features.expect(TFloat32.class), op.input(1).expect(TFloat32.class), op.attributes()
			.getAttrBool("transpose_b"));
	}

	/** The layer whose output is the node, or the node's own name. */
	private static String layerName(ClassifierModel model, String node) {
		return model.layers().layers().stream().filter(l -> l.output().op().name().equals(node)).map(
			LayerIndex.Layer::name).findFirst().orElse(node);
	}

	private static ExplainException notGapDense(String why) {
		return new ExplainException("CAM needs a network that ends in conv -> global average pooling -> dense; this " +
			"model does not (" + why + ").",
			"Use grad-cam (Grad-CAM), which works with any convolutional layer.");
	}

	private static Output<?> skip(Output<?> t, Set<String> types) {
		Output<?> cur = t;
		while (types.contains(cur.op().type())) cur = ((GraphOperation) cur.op()).input(0);
		return cur;
	}

	/** A constant or a variable read (through Identity/ReadVariableOp), not a computed tensor. */
	private static boolean isParameter(Output<?> t) {
		String type = skip(t, Set.of("Identity", "ReadVariableOp")).op().type();
		return Set.of("Const", "VarHandleOp", "VariableV2").contains(type);
	}

	/** Whether a Mean's axes are the constant {1, 2} (or {-3, -2}) of a 4-D tensor. */
	private static boolean spatialAxes(Output<?> axes) {
		Output<?> c = skip(axes, Set.of("Identity"));
		if (!c.op().type().equals("Const")) return false;
		try (Tensor v = ((GraphOperation) c.op()).attributes().getAttrTensor("value")) {
			if (v.shape().numDimensions() != 1 || v.shape().size(0) != 2) return false;
			long[] a = new long[2];
			if (v.dataType() == DataType.DT_INT32) {
				int[] i = new int[2];
				v.asRawTensor().data().asInts().read(i);
				a[0] = i[0];
				a[1] = i[1];
			}
			else if (v.dataType() == DataType.DT_INT64) v.asRawTensor().data().asLongs().read(a);
			else return false;
			long a0 = (a[0] + 4) % 4, a1 = (a[1] + 4) % 4;
			return Math.min(a0, a1) == 1 && Math.max(a0, a1) == 2;
		}
	}
}
