package org.explainj.model;

import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Gives a grey model whose input is [batch, height, width] (no channel axis; Keras models that reshape
 * inside, e.g. MNIST tutorials) the [batch, height, width, 1] input every method works on: the input
 * placeholder is replaced by a rank-4 placeholder followed by a Squeeze of the channel axis under the
 * old name, so the model's own ops read exactly what they read before.
 */
final class GreyInput {

	/** The graph, and the name of its image input tensor (changed when a channel axis was added). */
	record Rewritten(GraphDef graph, String input) {}

	private GreyInput() {}

	/** {@code input} ("node:0") unchanged unless it is a float placeholder of rank 3. */
	static Rewritten withChannelAxis(GraphDef graph, String input) {
		String name = TensorNames.node(input);
		NodeDef placeholder = graph.getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElse(null);
		if (!isRank3(placeholder)) return new Rewritten(graph, input);
		String nhwc = name + "_with_channel_axis";
		TensorShapeProto shape = placeholder.getAttrOrThrow("shape").getShape();
		NodeDef image = placeholder.toBuilder().setName(nhwc).putAttr("shape", AttrValue.newBuilder().setShape(shape
			.toBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1))).build()).build();
		NodeDef squeeze = NodeDef.newBuilder().setName(name).setOp("Squeeze").addInput(nhwc).setDevice(placeholder
			.getDevice()).putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build()).putAttr("squeeze_dims",
				AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addI(3)).build()).build();
		GraphDef.Builder b = graph.toBuilder().clearNode();
		for (NodeDef n : graph.getNodeList()) {
			if (n == placeholder) b.addNode(image).addNode(squeeze);
			else b.addNode(n);
		}
		return new Rewritten(b.build(), nhwc + ":0");
	}

	static boolean isRank3(NodeDef n) {
		if (n == null || !n.getOp().equals("Placeholder") || n.getAttrOrDefault("dtype", AttrValue.getDefaultInstance())
			.getType() != DataType.DT_FLOAT) return false;
		AttrValue shape = n.getAttrOrDefault("shape", null);
		return shape != null && !shape.getShape().getUnknownRank() && shape.getShape().getDimCount() == 3;
	}
}
