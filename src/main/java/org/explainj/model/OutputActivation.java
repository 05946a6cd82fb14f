package org.explainj.model;

/** The squashing op found at the model's output; the logits are its input. */
public enum OutputActivation {
	SOFTMAX, SIGMOID,
	/** The output is already a logit vector; probabilities are taken as its softmax. */
	NONE
}
