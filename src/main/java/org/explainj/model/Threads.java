package org.explainj.model;

import org.explainj.ExplainException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * TensorFlow's thread pools for every session ExplainJ opens, from the system property
 * {@value #PROPERTY}: {@code N} (N threads inside an op, one op at a time besides), {@code INTRA,INTER}, or
 * unset / {@code auto} for TensorFlow's own choice (one thread per core for each pool). The inter-op pool
 * is process-wide in TensorFlow (the first session's setting holds), so all sessions take the same one.
 */
public final class Threads {

	/** The system property; e.g. {@code EXPLAINJ_JAVA_OPTS=-Dexplainj.threads=1 bin/explainj ...}. */
	public static final String PROPERTY = "explainj.threads";

	private Threads() {}

	/** A session on {@code graph} with the configured thread pools. */
	public static Session session(Graph graph) {
		return new Session(graph, config());
	}

	/** The session options of the configured thread pools (a SavedModel loader takes them too). */
	public static ConfigProto config() {
		int[] pools = pools(System.getProperty(PROPERTY, "auto"));
		return ConfigProto.newBuilder().setIntraOpParallelismThreads(pools[0]).setInterOpParallelismThreads(pools[1])
			.build();
	}

	/** {intra, inter} threads of a setting; 0 = TensorFlow's choice. */
	public static int[] pools(String setting) {
		String s = setting.trim();
		if (s.isEmpty() || s.equalsIgnoreCase("auto")) return new int[] { 0, 0 };
		String[] parts = s.split(",", -1);
		try {
			if (parts.length == 1) return new int[] { positive(parts[0]), 1 };
			if (parts.length == 2) return new int[] { positive(parts[0]), positive(parts[1]) };
		}
		catch (NumberFormatException e) {
			// the sentence below names the setting
		}
		throw new ExplainException("The thread setting " + PROPERTY + "=" + setting + " is not a thread count.",
			"Give auto, a number of threads N (e.g. 2) or INTRA,INTER (e.g. 2,1).");
	}

	private static int positive(String n) {
		int v = Integer.parseInt(n.trim());
		if (v < 1) throw new NumberFormatException(n);
		return v;
	}
}
