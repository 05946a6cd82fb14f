package org.explainj.backward;

import java.util.List;

import org.tensorflow.proto.NodeDef;

/**
 * One entry of the backward walk's op table ({@link OpTable}), as a Zennit rule hook on a module: which
 * nodes it recognises in the forward graph, and what it sends to the tensors below given the signals
 * arriving at the node's outputs. Entries for one op kind extend {@link OpTable.OpKind}, which splits
 * this into the gradient transpose and the relevance and DeepLIFT hooks.
 */
interface OpEntry {

	/** Forward recognition: whether this entry undoes {@code node} (by its op type, or by the structure around it). */
	boolean handles(Walk walk, NodeDef node);

	/**
	 * The signals the node sends back, each to a tensor ("node:k") below it, given those arriving at its
	 * outputs (by output index, null where none arrived, at least one not null).
	 */
	List<Sent> back(Walk walk, NodeDef node, Signal[] arriving);

	/** A signal sent to a tensor below a node. */
	record Sent(String tensor, Signal signal) {}
}
