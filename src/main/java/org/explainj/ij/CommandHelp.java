package org.explainj.ij;

import org.explainj.job.JobOptions;

/** Help texts that several commands' dialogs share, written once (annotation values must be constants). */
final class CommandHelp {

	static final String MODEL = JobOptions.MODEL_HELP;
	static final String IMAGE_SET = "an image or a stack: each slice is one image";
	static final String TRUST = JobOptions.TRUST_HELP;

	private CommandHelp() {}
}
