package org.explainj.ij;

/** Help texts that several commands' dialogs share, written once (annotation values must be constants). */
final class CommandHelp {

	static final String MODEL = "SavedModel folder (or its saved_model.pb) or frozen graph .pb";
	static final String IMAGE_SET = "an image or a stack: each slice is one image";
	static final String TRUST = "run the model even if it reads or writes files, talks to the network or calls " +
		"Python (only for models from a source you trust)";

	private CommandHelp() {}
}
