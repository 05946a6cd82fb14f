package org.explainj;

/**
 * A problem the user can fix: the message names what is wrong and what to do about it. Front ends show
 * it as one line (dialog, log, stderr) instead of a stack trace.
 */
public class ExplainException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public ExplainException(String problem, String whatToDo) {
		super(problem + " " + whatToDo);
	}

	public ExplainException(String problem, String whatToDo, Throwable cause) {
		super(problem + " " + whatToDo, cause);
	}

	/**
	 * The ExplainException in {@code failure}'s cause chain (SciJava wraps a command's exception twice),
	 * or else one sentence naming the deepest cause and its message, so that a failure nobody foresaw
	 * still says what it was rather than "see the log".
	 */
	public static ExplainException unexpected(Throwable failure) {
		Throwable root = failure;
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof ExplainException e) return e;
			root = t;
		}
		String message = root.getMessage() == null ? "" : ": " + root.getMessage().strip().lines().findFirst().orElse("");
		return new ExplainException("ExplainJ failed unexpectedly (" + root.getClass().getSimpleName() + message + ").",
			"Please report it with the command or macro line you ran.", failure);
	}
}
