import { forwardRef, useImperativeHandle, useMemo, useRef, useState } from "react";
import { errorsByLine, lineCount, offsetOf, type DocumentError } from "./editorModel";

export interface CodeEditorHandle {
    /** Puts the caret at a 1-based line and column and focuses the editor. */
    goTo(line: number, column: number): void;
}

interface Props {
    id: string;
    value: string;
    onChange(value: string): void;
    errors: readonly DocumentError[];
    describedBy?: string;
    label: string;
    readOnly?: boolean;
    onSave?: () => void;
}

/**
 * A plain textarea with line numbers: lines with errors are marked in the gutter and highlighted behind the text, and
 * each mark's title holds its messages. Tab moves on to the next control as everywhere (YAML wants spaces anyway);
 * Ctrl/Cmd+S saves.
 */
export const CodeEditor = forwardRef<CodeEditorHandle, Props>(function CodeEditor({ id, value, onChange, errors, describedBy, label, readOnly, onSave }, ref) {
    const area = useRef<HTMLTextAreaElement>(null);
    const [scrollTop, setScrollTop] = useState(0);
    const lines = lineCount(value);
    const marks = useMemo(() => errorsByLine(errors), [errors]);

    useImperativeHandle(ref, () => ({
        goTo(line: number, column: number) {
            const element = area.current;
            if (!element) return;
            const offset = offsetOf(element.value, line, column);
            element.focus();
            element.setSelectionRange(offset, offset);
            // Bring the line into view: the textarea scrolls to the caret only on some browsers.
            const lineHeight = parseFloat(getComputedStyle(element).lineHeight) || 20;
            const top = (line - 1) * lineHeight;
            if (top < element.scrollTop || top > element.scrollTop + element.clientHeight - lineHeight) element.scrollTop = Math.max(0, top - element.clientHeight / 3);
        },
    }));

    const numbers = [];
    const highlights = [];
    for (let line = 1; line <= lines; line++) {
        const problems = marks.get(line);
        numbers.push(
            <div key={line} className={problems ? "ln has-error" : "ln"} title={problems?.map((p) => `${line}:${p.column} ${p.message}`).join("\n")} data-line={line}>
                {problems && <span className="ln-mark">●</span>}
                {line}
            </div>,
        );
        highlights.push(<div key={line} className={problems ? "hl err" : "hl"} />);
    }

    return (
        <div className={`code-editor ${readOnly ? "read-only" : ""}`}>
            <div className="gutter" aria-hidden="true">
                <div style={{ transform: `translateY(${-scrollTop}px)` }}>{numbers}</div>
            </div>
            <div className="code-body">
                <div className="highlights" aria-hidden="true">
                    <div style={{ transform: `translateY(${-scrollTop}px)` }}>{highlights}</div>
                </div>
                <textarea
                    ref={area}
                    id={id}
                    aria-label={label}
                    aria-invalid={errors.length > 0 ? true : undefined}
                    aria-describedby={describedBy}
                    value={value}
                    readOnly={readOnly}
                    wrap="off"
                    spellCheck={false}
                    autoCapitalize="off"
                    autoCorrect="off"
                    autoComplete="off"
                    onChange={(e) => onChange(e.target.value)}
                    onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
                    onKeyDown={(e) => {
                        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
                            e.preventDefault();
                            onSave?.();
                            return;
                        }
                    }}
                    data-testid="strategy-editor"
                />
            </div>
        </div>
    );
});
