;;; authlint-test.el --- eglot + authlint end-to-end, in emacs --batch  -*- lexical-binding: t -*-

;; Run through run.sh, which sets:
;;   AUTHLINT_BIN         the server executable (put on exec-path as `authlint')
;;   AUTHLINT_EMACS_DIR   editors/emacs (the README's first elisp block is the config under test)
;;   AUTHLINT_TEST_WORK   an empty scratch directory

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)

(defvar authlint-test-timeout 20)
(defvar authlint-test-passed 0)
(defvar authlint-test-failed 0)
(defvar authlint-test-exits nil "Exit codes of the server processes, in order.")

(defun authlint-test-say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun authlint-test-wait (what pred)
  "Process events until PRED is non-nil, or fail naming WHAT."
  (let ((deadline (+ (float-time) authlint-test-timeout)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall pred)
        (error "Timed out after %ss waiting for %s" authlint-test-timeout what))))

(defmacro authlint-test (name &rest body)
  (declare (indent 1))
  `(condition-case err
       (progn ,@body
              (setq authlint-test-passed (1+ authlint-test-passed))
              (authlint-test-say "ok - %s" ,name))
     (error
      (setq authlint-test-failed (1+ authlint-test-failed))
      (authlint-test-say "not ok - %s\n  %s" ,name (error-message-string err)))))

(defun authlint-test-readme-config (dir)
  "The first ```elisp block of DIR/README.md."
  (with-temp-buffer
    (insert-file-contents (expand-file-name "README.md" dir))
    (goto-char (point-min))
    (re-search-forward "^```elisp\n")
    (let ((start (point)))
      (re-search-forward "^```$")
      (buffer-substring-no-properties start (match-beginning 0)))))

(defun authlint-test-diags (code)
  "Flymake diagnostics in the current buffer whose LSP code is CODE."
  (cl-remove-if-not
   (lambda (d)
     (let ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))))
       (equal (plist-get lsp :code) code)))
   (flymake-diagnostics)))

(defun authlint-test-open (file)
  (find-file file)
  (eglot-ensure)
  ;; eglot-ensure connects from post-command-hook; there are no commands in batch.
  (run-hooks 'post-command-hook)
  (authlint-test-wait (format "eglot to manage %s" file) #'eglot-managed-p)
  (current-buffer))

(defun authlint-test-wait-diags (code n)
  (authlint-test-wait
   (format "%d %s diagnostic(s)" n code)
   (lambda ()
     ;; What eglot's idle timer does after an edit (idle timers never fire in batch).
     (eglot--signal-textDocument/didChange)
     (flymake-start)
     (accept-process-output nil 0.05)
     (= (length (authlint-test-diags code)) n))))

(defun authlint-test-apply (kind pick)
  "Apply a KIND code action for the whole buffer through `eglot-code-actions',
answering its prompt with the first title PICK accepts."
  (let ((last-nonmenu-event 0)           ; not a mouse event: prompt, don't pop up a menu
        (chosen nil))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &rest _)
                 (setq chosen (cl-find-if pick (mapcar #'car collection)))
                 (or chosen (error "No acceptable code action among %S" (mapcar #'car collection))))))
      (eglot-code-actions (point-min) (point-max) kind t))
    chosen))

(let* ((bin (or (getenv "AUTHLINT_BIN") (error "AUTHLINT_BIN is not set")))
       (emacs-dir (or (getenv "AUTHLINT_EMACS_DIR") (error "AUTHLINT_EMACS_DIR is not set")))
       (work (file-name-as-directory (or (getenv "AUTHLINT_TEST_WORK") (error "AUTHLINT_TEST_WORK is not set"))))
       (bindir (expand-file-name "bin" work))
       (project (expand-file-name "project/" work))
       (handler (expand-file-name "handler.js" project))
       (routes (expand-file-name "routes.js" project)))
  (authlint-test-say "Emacs %s, eglot from %s, server %s" emacs-version (locate-library "eglot") bin)
  ;; `authlint' on exec-path, as the README's config expects.
  (make-directory bindir t)
  (make-symbolic-link bin (expand-file-name "authlint" bindir) t)
  (push bindir exec-path)
  (setenv "PATH" (concat bindir path-separator (getenv "PATH")))
  ;; The config under test, exactly as a user pastes it.
  (eval (car (read-from-string (concat "(progn " (authlint-test-readme-config emacs-dir) ")"))) t)
  (setq eglot-sync-connect t
        flymake-no-changes-timeout nil
        eglot-events-buffer-size 0
        eglot-autoshutdown nil)
  (make-directory project t)
  (with-temp-file (expand-file-name "authlint.toml" project) (insert "# defaults\n"))
  (with-temp-file handler
    (insert "export function handler(req) {\n"
            "  if (!req.headers.get('authorization')) {\n"
            "    return new Response('no', { status: 401 });\n"
            "  }\n"
            "  return new Response('ok');\n"
            "}\n"))
  (with-temp-file routes
    (insert "export function a() {\n  return new Response('no', { status: 401 });\n}\n"
            "export function b() {\n  return new Response('no', { status: 401 });\n}\n"))

  (authlint-test "eglot starts authlint lsp for a JavaScript buffer"
    (authlint-test-open handler)
    (let ((server (eglot-current-server)))
      (unless (equal (eglot--language-id server) "javascript")
        (error "language id %S" (eglot--language-id server)))
      (unless (string-match-p "authlint" (mapconcat #'identity (process-command (jsonrpc--process server)) " "))
        (error "started %S" (process-command (jsonrpc--process server))))
      (set-process-sentinel
       (jsonrpc--process server)
       (let ((orig (process-sentinel (jsonrpc--process server))))
         (lambda (proc event)
           (when (memq (process-status proc) '(exit signal))
             (push (process-exit-status proc) authlint-test-exits))
           (funcall orig proc event))))))

  (authlint-test "settings reach the server in its shape"
    (let ((conf (plist-get (eglot--workspace-configuration-plist (eglot-current-server)) :authlint)))
      (unless (equal (jsonrpc--json-encode conf)
                     "{\"enable\":true,\"rules\":{\"require-401-logging\":\"warning\"},\"challenge\":null,\"loggers\":[],\"configPath\":null}")
        (error "encoded as %s" (jsonrpc--json-encode conf)))))

  (authlint-test "a 401 without WWW-Authenticate is reported"
    (authlint-test-wait-diags "require-www-authenticate" 1)
    (let ((d (car (authlint-test-diags "require-www-authenticate"))))
      (unless (= (line-number-at-pos (flymake-diagnostic-beg d)) 3)
        (error "diagnostic on line %d" (line-number-at-pos (flymake-diagnostic-beg d))))
      (unless (eq (flymake-diagnostic-type d) 'eglot-error)
        (error "type %S" (flymake-diagnostic-type d)))))

  (authlint-test "the quick fix removes the diagnostic"
    (let ((chosen (authlint-test-apply
                   "quickfix"
                   (lambda (title) (and (string-match-p "WWW-Authenticate" title)
                                        (not (string-match-p "[Ii]gnore" title)))))))
      (authlint-test-say "  applied: %s" chosen)
      (unless (string-match-p "WWW-Authenticate" (buffer-string))
        (error "buffer unchanged:\n%s" (buffer-string)))
      (authlint-test-wait-diags "require-www-authenticate" 0)))

  (authlint-test "source.fixAll.authlint fixes every 401 in the file"
    (authlint-test-open routes)
    (authlint-test-wait-diags "require-www-authenticate" 2)
    (authlint-test-apply "source.fixAll.authlint" #'identity)
    (authlint-test-wait-diags "require-www-authenticate" 0)
    (let ((count (how-many "WWW-Authenticate" (point-min) (point-max))))
      (unless (= count 2) (error "%d headers:\n%s" count (buffer-string)))))

  (authlint-test "the server shuts down cleanly (shutdown, exit, code 0)"
    ;; Spoken directly: eglot-shutdown kills the process right after `exit'.
    (let ((server (eglot-current-server)))
      (jsonrpc-request server :shutdown nil)
      (jsonrpc-notify server :exit nil)
      (authlint-test-wait "the server to exit" (lambda () authlint-test-exits))
      (unless (equal authlint-test-exits '(0))
        (error "exit codes %S" authlint-test-exits))))

  (authlint-test-say "%d passed, %d failed" authlint-test-passed authlint-test-failed)
  (kill-emacs (if (zerop authlint-test-failed) 0 1)))

;;; authlint-test.el ends here
