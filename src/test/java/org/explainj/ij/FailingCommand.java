package org.explainj.ij;

import org.scijava.command.Command;

/**
 * A command that fails the way no ExplainJ check foresees (an IllegalStateException from deep inside),
 * for the test that such failures still end a batch macro with their message.
 */
public class FailingCommand implements Command {

	static final String MESSAGE = "the simulated disk is on fire";

	@Override
	public void run() {
		throw new IllegalStateException(MESSAGE);
	}

	/** As when an older TensorFlow in Fiji's jars/ shadows ExplainJ's: a linkage error, not an exception. */
	public static class Linkage implements Command {

		static final String MESSAGE = "'org.tensorflow.proto.GraphDef org.tensorflow.Graph.toGraphDef()'";

		@Override
		public void run() {
			throw new NoSuchMethodError(MESSAGE);
		}
	}
}
