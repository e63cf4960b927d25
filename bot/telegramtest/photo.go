package telegramtest

import "github.com/go-telegram/bot/models"

// SendPhoto makes u send a photo with a caption (may be empty); fileID names its largest
// size, as Telegram lists the sizes smallest first. Both sizes' ids become known to the
// server: the bot may send them again (sendPhoto with the file id), and only ids the
// server knows are accepted, as Telegram accepts only its own.
func (s *Server) SendPhoto(u User, fileID, caption string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.userMessageLocked(u)
	msg.Photo = []models.PhotoSize{{FileID: fileID + "-small", Width: 90, Height: 90}, {FileID: fileID, Width: 1280, Height: 960}}
	msg.Caption = caption
	for _, id := range []string{fileID, fileID + "-small"} {
		if _, ok := s.files[id]; !ok {
			s.files[id] = &File{Name: "photo.jpg", FileID: id}
		}
	}
	return s.enqueueLocked(models.Update{Message: msg})
}
